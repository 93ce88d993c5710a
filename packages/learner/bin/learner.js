#!/usr/bin/env node
// The learner process (built by `nx run learner:build`): `learner train|sft [flags]`.
import { main } from '../dist/main.js';

process.exitCode = await main(process.argv.slice(2));
