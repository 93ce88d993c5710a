// `learner train`: one learner rank from start to finish. Rank 0 also serves the
// PolicyService and publishes the tasks. Without a NATS url in the config this is
// the embedded default: a local nats-server under the run directory, and the
// rollout workers, the reward service and the built-in reward workers as child
// processes — the same code path as a cluster, on one machine. Ctrl-C (SIGINT) or
// SIGTERM stops the loop, the children and the server cleanly; the report is
// written from whatever steps were done. Data-parallel ranks (grpo.distributed)
// join the engine's c10d group after the warm-up; only rank 0 serves the policy,
// feeds tasks, writes metrics and checkpoints (see batch-plan.ts).
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatarusError, ErrorCode } from '@datarus/contracts';
import type { RunConfig } from '@datarus/config';
import { Engine } from '@datarus/engine';
import { closeNats, connectNats, ensureStreams, servePolicy, type PolicyServing } from '@datarus/transport';
import { listCheckpoints, restoreLatest, saveCheckpoint } from './checkpoints.js';
import { Children, type ChildSpec } from './embedded/children.js';
import { startLocalNats, type LocalNats } from './embedded/local-nats.js';
import { Learner } from './learner.js';
import { BatchPlanServer } from './batch-plan.js';
import { PolicyPublisher } from './policy-publisher.js';
import { Progress, progressLine, duration } from './progress.js';
import { completionRows, readLastStepCompletions } from './completion-log.js';
import { appendJsonLines, appendMetrics, formatPeakMemory, formatQuarterComparison, quarterComparison, readMetrics, renderReport } from './report/index.js';
import { formatEvalComparison, readEvalSummaries, runHeldOutEval } from './held-out-eval.js';
import { prepareRunDir, runPaths } from './run-dir.js';
import { runSftWarmup } from './sft-warmup.js';
import type { StepMetrics } from './step-metrics.js';

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));
const script = (rel: string) => `${packagesDir}${rel}`;

/** Several learner ranks need a NATS server they all reach, and a share of each step for every rank. */
function checkRanks(config: RunConfig): void {
  const d = config.grpo.distributed;
  if (!d || d.worldSize <= 1) return;
  const bad: string[] = [];
  if (!config.nats) bad.push('  nats.url: several learner ranks need a NATS server they all reach (the embedded default is for one)');
  if (config.grpo.promptsPerStep % d.worldSize !== 0) bad.push(`  grpo.promptsPerStep: ${config.grpo.promptsPerStep} groups per step do not split over ${d.worldSize} ranks`);
  if (bad.length) throw new DatarusError(ErrorCode.InvalidConfig, `invalid run config:\n${bad.join('\n')}`);
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
  checkRanks(config);
  const rank = config.grpo.distributed?.rank ?? 0;
  // Rank 0 owns the run directory; other ranks read its checkpoints and write only under rank-<r>/.
  const { runDir, incarnation } = rank === 0 ? prepareRunDir(config) : { runDir: resolve(config.runDir), incarnation: 0 };
  config = { ...config, runDir };
  const paths = runPaths(runDir);
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
    // the MFU peak, measured while nothing else of the run uses the cores
    const peakGflops = await engine.matmulGflops();
    log(`matmul rate of the training device: ${peakGflops.toFixed(1)} GFLOP/s (the MFU peak)`);
    if (!resuming) {
      if (config.sft.steps > 0) {
        await runSftWarmup(engine, config, (r) => log(`sft ${r.step}/${config.sft.steps} loss ${r.loss.toFixed(3)} (${r.seconds.toFixed(1)}s)`));
      }
      if (rank === 0) await engine.save(paths.initial, { dtype: 'float32' });
      if (rank === 0 && config.eval.tasks > 0) await runHeldOutEval(engine, config, 'initial', log, stop.signal);
    }
    const d = config.grpo.distributed;
    if (d && d.worldSize > 1) {
      log(`rank ${d.rank}/${d.worldSize}: joining the process group at ${d.rendezvous}`);
      await engine.initDistributed({ rendezvous: d.rendezvous, rank: d.rank, worldSize: d.worldSize, backend: d.backend });
    }
    if (config.grpo.beta > 0) await engine.createReference({ shards: config.grpo.refShards, devices: config.grpo.refDevice === 'policy' ? undefined : [config.grpo.refDevice] });
    const resumed = resuming ? await restoreLatest(engine, runDir) : null;
    if (resumed) log(`resumed from checkpoint at step ${resumed.step}`);

    let publisher: PolicyPublisher | undefined;
    let plans: BatchPlanServer | undefined;
    let serving: PolicyServing | undefined;
    if (rank === 0) {
      publisher = new PolicyPublisher(engine, config.learner.keepVersions);
      publisher.publish(resumed?.policyVersion ?? 0, resumed?.step ?? 0);
      serving = await servePolicy(publisher.store, { server: { bind: config.learner.policyBind, tls: config.learner.policyTls }, policy: config.policy });
      cleanup.push(() => serving!.close());
      log(`PolicyService at ${serving.address}`);
      if (d && d.worldSize > 1) {
        plans = new BatchPlanServer(nc, config.runId, resumed?.step ?? 0);
        cleanup.push(async () => plans!.close());
      }
    }

    if (embedded && serving) {
      const childConfig = { ...config, rollout: { ...config.rollout, policy: { ...config.rollout.policy, address: serving.address } } };
      writeFileSync(paths.childConfig, `${JSON.stringify(childConfig, null, 2)}\n`);
      children = new Children(paths.logs, (m) => {
        failure = new DatarusError(ErrorCode.ProcessFailed, m);
        stop.abort(failure);
      }, log);
      const specs = embeddedChildren(childConfig, paths.childConfig);
      for (const spec of specs) children.start(spec);
      log(`started ${specs.length} processes (logs in ${paths.logs})`);
    }

    const startStep = resumed?.step ?? 0;
    const learner = new Learner({
      config,
      engine,
      nc,
      policy: publisher,
      plans,
      incarnation,
      resumed,
      signal: stop.signal,
      log,
      peakGflops,
      onStep: (m: StepMetrics) => {
        if (rank > 0) return log(`rank ${rank}: step ${m.step} trained (its share of ${m.groupIds.length} groups)`);
        appendMetrics(paths.metrics, m);
        progress.step(progressLine(m, config.steps, startStep));
      },
      onTrained: (step, groups, advantages) => {
        const every = config.learner.logCompletions;
        if (rank !== 0 || every === 0 || step % every !== 0) return;
        try {
          appendJsonLines(paths.completions, completionRows(step, groups, advantages));
        } catch (e) {
          log(`could not log the samples of step ${step}: ${(e as Error).message}`); // the step itself is done
        }
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
      if (!interrupted && config.eval.tasks > 0) await runHeldOutEval(engine, config, 'final', log, stop.signal);
    } else if (rank > 0 && !interrupted) {
      // every rank holds the same weights; a copy per rank lets them be compared
      await engine.save(join(runDir, `rank-${rank}`, 'final'));
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
  progress.note(`peak resident memory (GiB), learner / rollout worker: ${formatPeakMemory(rows)}`);
  const evaluated = formatEvalComparison(readEvalSummaries(config.runDir));
  for (const [k, v] of Object.entries(evaluated)) {
    progress.note(`${k}: ${v}`);
    summary[k] = v;
  }
  const samples = readLastStepCompletions(paths.completions);
  writeFileSync(paths.report, renderReport(rows, { title: `datarus run ${config.runId}`, config, summary, samples }));
  progress.note(`report: ${paths.report}`);
}
