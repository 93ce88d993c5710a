#!/usr/bin/env node
// The rollout worker process (built by `nx run rollout:build`).
import { main } from '../dist/main.js';

// Exit with the command's status even if a connection is still closing.
process.exit(await main(process.argv.slice(2)));
