#!/usr/bin/env node
// The reward service process: runs the compiled entry point (built by `nx run reward:build`).
//   node packages/reward/bin/reward-service.js --config run.json [--flag value ...]
import { runRewardServiceProcess } from '../dist/index.js';

// exit, not exitCode: a handle a library left open must not keep a stopped service alive
process.exit(await runRewardServiceProcess(process.argv.slice(2)));
