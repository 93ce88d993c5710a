// The rollout worker process: `node packages/rollout/bin/rollout-worker.js
// --config run.json [--flag value ...]`. Pulls RolloutRequests from the TASKS
// stream (a durable consumer shared by every worker of the run, one task at a
// time per worker), samples each group with the engine on the policy version the
// learner serves, publishes the RolloutGroup on ROLLOUTS (de-duplicated by group
// id) and only then acks the task. SIGTERM / SIGINT abort the group in progress
// (its task is redelivered to another worker) and exit 0.
import { hostname } from 'node:os';
import { DatarusError, ErrorCode, isErrorCode } from '@datarus/contracts';
import { loadRunConfig, type RunConfig } from '@datarus/config';
import { Engine } from '@datarus/engine';
import { closeNats, connectNats, ensureStreams, JetStreamPublisher, PolicyClient, startDurableConsumer } from '@datarus/transport';
import { PolicySync } from './policy-sync.js';
import { RolloutWorker } from './rollout-worker.js';
import { agenticSampler } from './agentic-samples.js';

const log = (id: string, msg: string) => process.stderr.write(`[rollout ${id}] ${msg}\n`);

/** At most one call per `ms`. */
function throttled(f: (s: string) => void, ms = 10_000): (s: string) => void {
  let last = 0;
  return (s) => {
    if (Date.now() - last < ms) return;
    last = Date.now();
    f(s);
  };
}

/** The durable consumer name all rollout workers of a run share. */
export const rolloutDurable = (runId: string) => `${runId}-rollout`;

export async function runRolloutWorker(config: RunConfig, workerId = `${hostname()}:${process.pid}`): Promise<void> {
  if (!config.nats) throw new DatarusError(ErrorCode.InvalidConfig, 'invalid run config:\n  nats.url: a rollout worker needs the NATS server of the run');
  const nc = await connectNats({ ...config.nats, name: `rollout-${workerId}` });
  await ensureStreams(await nc.jetstreamManager(), config.streams);
  const engine = await Engine.load(config.model, { device: config.rollout.device, dtype: config.rollout.dtype });
  const client = new PolicyClient(config.rollout.policy);
  const worker = new RolloutWorker(engine, new PolicySync(engine, client, 500, throttled((r) => log(workerId, `waiting for the policy: ${r}`))), {
    workerId,
    microBatch: config.rollout.microBatch,
    agentic: agenticSampler(config.rollout.agentic, config.rollout.microBatch),
  });
  const publisher = new JetStreamPublisher(nc.jetstream());
  const abort = new AbortController();
  log(workerId, `ready: ${config.model}, policy at ${config.rollout.policy.address}`);

  const consumer = await startDurableConsumer(nc, {
    stream: 'TASKS',
    durable: rolloutDurable(config.runId),
    settings: { ...config.consumer, concurrency: 1 },
    handler: async (request, delivery) => {
      log(workerId, `taking ${request.groupId} (delivery ${delivery.deliveryCount})`);
      const group = await worker.handle(request, abort.signal);
      await publisher.publish('ROLLOUTS', group);
      const t = group.timing!;
      const mode = group.mode === 'MODE_AGENTIC' ? `agentic, tools ${(t.toolMs / 1000).toFixed(1)}s` : 'reflection';
      log(workerId, `published ${group.groupId} v${group.policyVersion}: ${group.samples.length} samples, ${(t.totalMs / 1000).toFixed(1)}s (${mode}; weights ${(t.weightsMs / 1000).toFixed(1)}s)`);
    },
    onEvent: (e) => {
      if (e.type === 'retry' || e.type === 'dead-lettered') log(workerId, `${e.type} ${e.groupId}: ${'error' in e ? e.error : e.reason}`);
    },
  });

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  log(workerId, 'stopping');
  abort.abort();
  await consumer.stop();
  await closeNats(nc);
  engine.dispose();
}

export async function main(argv: string[]): Promise<number> {
  let config: RunConfig;
  try {
    config = loadRunConfig(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  if (config.rollout.threads > 0) process.env.DATARUS_THREADS = String(config.rollout.threads);
  try {
    await runRolloutWorker(config, process.env.DATARUS_WORKER_ID || undefined);
    return 0;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    process.stderr.write(`rollout worker failed${isErrorCode(code) ? ` (${code})` : ''}: ${(e as Error).message}\n`);
    return 1;
  }
}
