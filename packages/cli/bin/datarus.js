#!/usr/bin/env node
// The `datarus` command: runs the compiled CLI (built by `nx run cli:build`).
import { main } from '../dist/index.js';

process.exitCode = await main(process.argv.slice(2));
