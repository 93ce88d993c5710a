// The run directory: config.json (the resolved config), incarnation (bumped at each
// start of a learner on this directory), metrics.jsonl, completions.jsonl, checkpoints/, initial/
// (the policy RL starts from, the reference model's source), final/ (the trained
// policy, Hugging Face layout), eval/ (held-out evaluation of both), report.html,
// logs/ and nats/ (embedded default).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RunConfig } from '@datarus/config';

export const runPaths = (runDir: string) => ({
  config: join(runDir, 'config.json'),
  childConfig: join(runDir, 'processes.json'),
  incarnation: join(runDir, 'incarnation'),
  metrics: join(runDir, 'metrics.jsonl'),
  completions: join(runDir, 'completions.jsonl'),
  initial: join(runDir, 'initial'),
  final: join(runDir, 'final'),
  report: join(runDir, 'report.html'),
  eval: join(runDir, 'eval'),
  logs: join(runDir, 'logs'),
  nats: join(runDir, 'nats'),
});

/** "runs/run-YYYYMMDD-HHMMSS" for a config that names no run directory. */
export function defaultRunDir(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `runs/run-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
}

/** Creates the directory, bumps and returns the incarnation, writes the resolved config. */
export function prepareRunDir(config: RunConfig): { runDir: string; incarnation: number } {
  const runDir = resolve(config.runDir);
  mkdirSync(runDir, { recursive: true });
  const paths = runPaths(runDir);
  const previous = existsSync(paths.incarnation) ? Number(readFileSync(paths.incarnation, 'utf8').trim()) || 0 : 0;
  const incarnation = previous + 1;
  writeFileSync(paths.incarnation, `${incarnation}\n`);
  writeFileSync(paths.config, `${JSON.stringify(config, null, 2)}\n`);
  return { runDir, incarnation };
}
