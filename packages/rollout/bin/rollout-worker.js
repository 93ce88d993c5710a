#!/usr/bin/env node
// The rollout worker process (built by `nx run rollout:build`).
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
