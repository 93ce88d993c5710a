#!/usr/bin/env node
// The built-in reward workers' process: runs the compiled entry point (built by `nx run reward:build`).
//   node packages/reward/bin/reward-worker.js --config run.json [--workers structural,hrm,verifier] [--grpc HOST:PORT]
import { runRewardWorkerProcess } from '../dist/index.js';

// exit, not exitCode: a handle a library left open must not keep a stopped service alive
process.exit(await runRewardWorkerProcess(process.argv.slice(2)));
