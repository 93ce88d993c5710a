#!/usr/bin/env node
// The learner process (built by `nx run learner:build`): `learner train|sft [flags]`.
import { main } from '../dist/main.js';

// Exit with the command's status even if a connection is still closing.
process.exit(await main(process.argv.slice(2)));
