// `learner train`: one learner rank from start to finish. Rank 0 also serves the
// PolicyService and publishes the tasks. Without a NATS url in the config this is
// the embedded default: a local nats-server under the run directory, and the
// rollout workers, the reward service and the built-in reward workers as child
// processes — the same code path as a cluster, on one machine. Ctrl-C (SIGINT) or
// SIGTERM stops the loop, the children and the server cleanly; the report is
// written from whatever steps were done.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { NatsConnection } from 'nats';
import { DatarusError, ErrorCode } from '@datarus/contracts';
import type { RunConfig } from '@datarus/config';
import { Engine } from '@datarus/engine';
import { connectNats, ensureStreams, servePolicy } from '@datarus/transport';
import { listCheckpoints, restoreLatest, saveCheckpoint } from './checkpoints.js';
import { Children, type ChildSpec } from './embedded/children.js';
import { startLocalNats, type LocalNats } from './embedded/local-nats.js';
import { Learner } from './learner.js';
import { PolicyPublisher } from './policy-publisher.js';
import { Progress, progressLine, duration } from './progress.js';
import { appendMetrics, formatQuarterComparison, quarterComparison, readMetrics, renderReport } from './report/index.js';
import { prepareRunDir, runPaths } from './run-dir.js';
import { runSftWarmup } from './sft-warmup.js';
import type { StepMetrics } from './step-metrics.js';

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));
const script = (rel: string) => `${packagesDir}${rel}`;

/** Drains the connection, or closes it when the server is gone (drain would wait for a reconnect). */
async function closeNats(nc: NatsConnection): Promise<void> {
  const timeout = new Promise<void>((r) => setTimeout(r, 5000).unref());
  await Promise.race([nc.drain().catch(() => {}), timeout]);
  if (!nc.isClosed()) await nc.close().catch(() => {});
}

/** The child processes of the embedded default. */
export function embeddedChildren(config: RunConfig, configFile: string): ChildSpec[] {
  const args = ['--config', configFile];
  const specs: ChildSpec[] = [];
  for (let i = 0; i < config.rollout.workers; i++) {
    specs.push({ name: `rollout-${i}`, script: script('rollout/bin/rollout-worker.js'), args, env: { DATARUS_WORKER_ID: `rollout-${i}` } });
  }
  specs.push({ name: 'reward-service', script: script('reward/bin/reward-service.js'), args });
  for (let i = 0; i < config.reward.builtinWorkerProcesses; i++) {
    specs.push({ name: `reward-worker-${i}`, script: script('reward/bin/reward-worker.js'), args: [...args, '--workers', 'structural,hrm,verifier'] });
  }
  return specs;
}

export interface TrainResult {
  runDir: string;
  steps: number;
  interrupted: boolean;
}

export async function runTraining(config: RunConfig, progress = new Progress()): Promise<TrainResult> {
  if ((config.grpo.distributed?.worldSize ?? 1) > 1) {
    // The engine's c10d group works (engine.initDistributed); splitting each step's
    // groups across learner ranks is not wired into this process yet.
    throw new DatarusError(ErrorCode.Unsupported, 'grpo.distributed: several learner ranks are not supported by the learner process yet; run one rank');
  }
  const { runDir, incarnation } = prepareRunDir(config);
  config = { ...config, runDir };
  const paths = runPaths(runDir);
  const rank = config.grpo.distributed?.rank ?? 0;
  const embedded = !config.nats;
  const stop = new AbortController();
  let failure: Error | null = null;
  let children: Children | null = null;
  const onSignal = () => {
    children?.beginStop();
    progress.note('stopping after the current step (signal received) …');
    stop.abort(new DatarusError(ErrorCode.Aborted, 'interrupted'));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const log = (m: string) => progress.note(m);

  let nats: LocalNats | null = null;
  const cleanup: (() => Promise<void>)[] = [];
  try {
    if (embedded) {
      nats = await startLocalNats(paths.nats);
      config = { ...config, nats: { url: nats.url, reconnectWaitMs: 500, maxReconnectAttempts: -1, connectTimeoutMs: 5000 } };
      log(`embedded NATS at ${nats.url} (store ${paths.nats})`);
    }
    const nc = await connectNats({ ...config.nats!, name: `learner-${rank}` });
    cleanup.push(() => closeNats(nc));
    await ensureStreams(await nc.jetstreamManager(), config.streams);

    log(`loading ${config.model}`);
    const resuming = listCheckpoints(runDir).length > 0;
    const engine = await Engine.load(resuming ? paths.initial : config.model, { device: config.learner.device, dtype: config.learner.dtype });
    cleanup.push(async () => engine.dispose());
    if (!resuming) {
      if (config.sft.steps > 0) {
        await runSftWarmup(engine, config, (r) => log(`sft ${r.step}/${config.sft.steps} loss ${r.loss.toFixed(3)} (${r.seconds.toFixed(1)}s)`));
      }
      await engine.save(paths.initial, { dtype: 'float32' });
    }
    if (config.grpo.beta > 0) await engine.createReference({ shards: config.grpo.refShards, devices: config.grpo.refDevice === 'policy' ? undefined : [config.grpo.refDevice] });
    const resumed = resuming ? await restoreLatest(engine, runDir) : null;
    if (resumed) log(`resumed from checkpoint at step ${resumed.step}`);

    const publisher = new PolicyPublisher(engine, config.learner.keepVersions);
    publisher.publish(resumed?.policyVersion ?? 0, resumed?.step ?? 0);
    const serving = await servePolicy(publisher.store, { server: { bind: config.learner.policyBind, tls: config.learner.policyTls }, policy: config.policy });
    cleanup.push(() => serving.close());
    log(`PolicyService at ${serving.address}`);

    if (embedded) {
      const childConfig = { ...config, rollout: { ...config.rollout, policy: { ...config.rollout.policy, address: serving.address } } };
      writeFileSync(paths.childConfig, `${JSON.stringify(childConfig, null, 2)}\n`);
      children = new Children(paths.logs, (m) => {
        failure = new DatarusError(ErrorCode.ProcessFailed, m);
        stop.abort(failure);
      }, log);
      for (const spec of embeddedChildren(childConfig, paths.childConfig)) children.start(spec);
      log(`started ${embeddedChildren(childConfig, paths.childConfig).length} processes (logs in ${paths.logs})`);
    }

    const startStep = resumed?.step ?? 0;
    const learner = new Learner({
      config,
      engine,
      nc,
      policy: publisher,
      incarnation,
      resumed,
      signal: stop.signal,
      log,
      onStep: (m: StepMetrics) => {
        appendMetrics(paths.metrics, m);
        progress.step(progressLine(m, config.steps, startStep));
      },
      onWaiting: ({ step, waitingSeconds, ready }) => progress.waiting(`step ${step}/${config.steps}: waiting for scored groups ${duration(waitingSeconds)} (${ready} ready)`),
    });
    try {
      await learner.run();
    } catch (e) {
      if (!stop.signal.aborted) throw e;
    }
    if (failure) throw failure;
    const interrupted = stop.signal.aborted;
    if (rank === 0 && learner.step > startStep) {
      await saveCheckpoint(engine, config, learner.state());
      if (!interrupted) await engine.save(paths.final);
    }
    return { runDir, steps: learner.step, interrupted };
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await children?.stopAll();
    for (const f of cleanup.reverse()) await f().catch(() => {});
    await nats?.stop();
    if (rank === 0) writeReport(config, progress);
  }
}

/** report.html from metrics.jsonl, and the first-vs-last-quarter reward on the console. */
export function writeReport(config: RunConfig, progress: Progress): void {
  const paths = runPaths(config.runDir);
  const rows = readMetrics(paths.metrics);
  if (rows.length === 0) return;
  const q = quarterComparison(rows);
  progress.note(formatQuarterComparison(q));
  const summary: Record<string, string | number> = {
    steps: rows.length,
    'first-quarter reward': `${q.first.mean.toFixed(4)} ± ${q.first.stderr.toFixed(4)}`,
    'last-quarter reward': `${q.last.mean.toFixed(4)} ± ${q.last.stderr.toFixed(4)}`,
    'wall time': duration(rows[rows.length - 1].elapsed),
  };
  writeFileSync(paths.report, renderReport(rows, { title: `datarus run ${config.runId}`, config, summary }));
  progress.note(`report: ${paths.report}`);
}
