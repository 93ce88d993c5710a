// The learner process: `node packages/learner/bin/learner.js <command> [--config FILE] [--flag value ...]`
//   train   GRPO training (the main job; `nx run learner:train`)
//   sft     only the supervised warm-up, saved to <runDir>/initial
//   bench   a short embedded run (4 steps unless --steps), then the share of each
//           step's wall time spent in generation, reward, reference log-probs,
//           training and waiting
// Flags override the config file, which overrides the laptop defaults (see
// @datarus/config); `--help` lists the commands. An invalid config is refused
// with every bad field's path before anything starts (exit code 2).
import { isErrorCode } from '@datarus/contracts';
import { loadRunConfig, type RunConfig } from '@datarus/config';
import { Engine } from '@datarus/engine';
import { Progress } from './progress.js';
import { sharesTable } from './loop-shares.js';
import { readMetrics } from './report/index.js';
import { defaultRunDir, prepareRunDir, runPaths } from './run-dir.js';
import { runTraining } from './run-training.js';
import { runSftWarmup } from './sft-warmup.js';

const USAGE = `usage: learner <train|sft|bench> [--config run.json] [--steps N] [--group-size G] [--grpo.lr X] ...
  train  GRPO training; without nats.url in the config it starts a local nats-server
         and the rollout worker, reward service and reward workers itself
  sft    the supervised warm-up alone, saved to <runDir>/initial
  bench  a short run (4 steps by default), then where each step's wall time went
Any config field is a flag: --tasks.mode agentic, --rollout.workers 2, --nats.url nats://host:4222`;

async function sftOnly(config: RunConfig, progress: Progress): Promise<void> {
  const { runDir } = prepareRunDir(config);
  const engine = await Engine.load(config.model, { device: config.learner.device, dtype: config.learner.dtype });
  try {
    await runSftWarmup(engine, config, (r) => progress.note(`sft ${r.step}/${config.sft.steps} loss ${r.loss.toFixed(3)} (${r.seconds.toFixed(1)}s)`));
    await engine.save(runPaths(runDir).initial, { dtype: 'float32' });
    progress.note(`saved ${runPaths(runDir).initial}`);
  } finally {
    engine.dispose();
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  if (command !== 'train' && command !== 'sft' && command !== 'bench') {
    process.stderr.write(`unknown command '${command}'\n${USAGE}\n`);
    return 2;
  }
  let config: RunConfig;
  try {
    config = loadRunConfig(command === 'bench' ? ['--steps', '4', '--sft.steps', '0', ...rest] : rest);
    if (!config.runDir) config = { ...config, runDir: defaultRunDir() };
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  if (config.learner.threads > 0) process.env.DATARUS_THREADS = String(config.learner.threads);
  const progress = new Progress();
  try {
    if (command === 'sft') {
      await sftOnly(config, progress);
      return 0;
    }
    const r = await runTraining(config, progress);
    if (command === 'bench') process.stdout.write(`\n${sharesTable(readMetrics(runPaths(r.runDir).metrics))}\n`);
    progress.note(`${r.interrupted ? 'stopped' : 'done'} after ${r.steps} steps; run directory ${r.runDir}`);
    return r.interrupted ? 130 : 0;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    process.stderr.write(`learner failed${isErrorCode(code) ? ` (${code})` : ''}: ${(e as Error).message}\n`);
    return 1;
  }
}
