// The reward service's pipeline: ROLLOUTS → score → SCORED. A durable JetStream
// consumer, shared by every copy of the service (so copies split the groups),
// takes each RolloutGroup, scores all its samples concurrently with the
// RewardService (at most `sampleConcurrency` trajectories at once per process),
// publishes the ScoredGroup on SCORED with the group id as Nats-Msg-Id, and only
// then acks the rollout. So:
//   - a crash between publish and ack redelivers the group; the second publish is
//     dropped by SCORED's duplicate window (one ScoredGroup per group);
//   - a publish that fails throws, and the consumer naks: the group comes back;
//   - bytes that are no RolloutGroup are dead-lettered by the consumer, with the
//     reason in headers, and the loop goes on;
//   - a worker that fails or hangs is a missing score (RewardService); a sample
//     no worker scored has has_reward = false; nothing here waits forever.
import type { NatsConnection } from 'nats';
import { consumerName, ErrorCode, type BlendedScore, type RolloutGroup, type ScoreRequest } from '@datarus/contracts';
import {
  ensureStreams,
  JetStreamPublisher,
  startDurableConsumer,
  type ConsumerEvent,
  type ConsumerSettings,
  type ConsumerStats,
  type DurableConsumer,
  type StreamsConfig,
} from '@datarus/transport';
import { curriculumWeights, type CurriculumWeights } from '../rules/curriculum.js';
import type { RewardService } from '../service/reward-service.js';
import { Limiter } from './limiter.js';
import { assembleScoredGroup, noRewardScore, scoreRequestsOf } from './scored-group.js';

/** The durable consumer every copy of the reward service shares on ROLLOUTS. */
export const REWARD_SERVICE_DURABLE = consumerName('reward-service');

export interface ScoringPipelineOptions {
  /** Open connection; the caller owns it (the pipeline never closes it). */
  nats: NatsConnection;
  service: RewardService;
  /** When given, the streams are created or brought up to date first (idempotent). */
  streams?: StreamsConfig | Record<string, unknown>;
  /** Settings of the durable consumer (ack wait, max deliver, groups in flight, ...). */
  consumer?: Partial<ConsumerSettings>;
  /** Curriculum horizon T sent with every request and stored as total_steps; default the service's curriculum.totalSteps. */
  totalSteps?: number;
  /** Durable consumer name; default REWARD_SERVICE_DURABLE. */
  durable?: string;
  /** Trajectories scored at once by this process, over all groups in flight (config reward.concurrency); default 8. */
  sampleConcurrency?: number;
  /** One line per scored group and per dead letter or retry. */
  log?: (line: string) => void;
  /** Every event of the underlying consumer. */
  onEvent?: (e: ConsumerEvent) => void;
}

export interface ScoringPipelineStats {
  /** Groups scored and published (a redelivered group counts once per publish). */
  groups: number;
  /** Samples scored. */
  samples: number;
  /** Samples that got has_reward = false. */
  samplesWithoutReward: number;
  /** Missing scores by worker, then by error code. */
  missing: Record<string, Record<string, number>>;
  /** Publishes of a ScoredGroup that SCORED already held (a redelivered group). */
  duplicatePublishes: number;
  consumer: ConsumerStats;
}

export interface ScoringPipeline {
  readonly durable: string;
  readonly totalSteps: number;
  stats(): ScoringPipelineStats;
  /** Stops taking groups and waits for the ones in flight (each is published and acked, or nak'ed). */
  stop(): Promise<void>;
}

function describeScores(scores: BlendedScore[]): string {
  const rewarded = scores.filter((s) => s.hasReward);
  const mean = rewarded.length ? rewarded.reduce((a, s) => a + s.reward, 0) / rewarded.length : NaN;
  const missing = new Map<string, number>();
  for (const s of scores) for (const w of Object.keys(s.missing)) missing.set(w, (missing.get(w) ?? 0) + 1);
  const m = [...missing].map(([w, n]) => `${w}:${n}`).join(',');
  return `rewarded=${rewarded.length}/${scores.length} mean=${Number.isNaN(mean) ? '-' : mean.toFixed(3)}${m ? ` missing=${m}` : ''}`;
}

export async function startScoringPipeline(opts: ScoringPipelineOptions): Promise<ScoringPipeline> {
  const { nats, service } = opts;
  const log = opts.log ?? (() => {});
  const totalSteps = opts.totalSteps ?? service.config.curriculum.totalSteps;
  const durable = consumerName(opts.durable ?? REWARD_SERVICE_DURABLE);
  const limiter = new Limiter(opts.sampleConcurrency ?? 8);
  const weightsAt = (step: number): CurriculumWeights => curriculumWeights(step, { ...service.config.curriculum, totalSteps });

  if (opts.streams !== undefined) await ensureStreams(await nats.jetstreamManager(), opts.streams);
  const publisher = new JetStreamPublisher(nats.jetstream());

  const counts = { groups: 0, samples: 0, samplesWithoutReward: 0, duplicatePublishes: 0 };
  const missing = new Map<string, Map<string, number>>();

  const scoreOne = async (request: ScoreRequest, weights: CurriculumWeights): Promise<BlendedScore> => {
    try {
      return await limiter.run(() => service.score(request));
    } catch (e) {
      // RewardService turns every worker failure into a missing score; this is its own bug, kept to one sample.
      return noRewardScore(request.step, weights, ErrorCode.Internal, `scoring failed: ${(e as Error)?.message ?? String(e)}`);
    }
  };

  const handler = async (group: RolloutGroup) => {
    const t0 = performance.now();
    const weights = weightsAt(group.step);
    const scores = await Promise.all(scoreRequestsOf(group, totalSteps).map((r) => scoreOne(r, weights)));
    const scored = assembleScoredGroup(group, scores, weights, totalSteps);
    // Throws E_TRANSPORT_FAILED when SCORED does not confirm: the consumer naks and the group comes back.
    const published = await publisher.publish('SCORED', scored, { msgId: group.groupId });

    counts.groups++;
    counts.samples += scores.length;
    if (published.duplicate) counts.duplicatePublishes++;
    for (const s of scores) {
      if (!s.hasReward) counts.samplesWithoutReward++;
      for (const [worker, why] of Object.entries(s.missing)) {
        const byCode = missing.get(worker) ?? new Map<string, number>();
        byCode.set(why.code, (byCode.get(why.code) ?? 0) + 1);
        missing.set(worker, byCode);
      }
    }
    const ms = Math.round(performance.now() - t0);
    log(
      `scored ${group.groupId} step=${group.step}/${totalSteps} w_struct=${weights.wStruct.toFixed(3)} ` +
        `${describeScores(scores)} ms=${ms}${published.duplicate ? ' (already on SCORED)' : ''}`,
    );
  };

  const onEvent = (e: ConsumerEvent) => {
    if (e.type === 'dead-lettered') log(`dead-lettered rollout seq ${e.streamSequence}${e.groupId ? ` (${e.groupId})` : ''}: ${e.code}: ${e.reason}`);
    else if (e.type === 'retry') log(`retrying ${e.groupId} (delivery ${e.deliveryCount}): ${e.error}`);
    else if (e.type === 'duplicate') log(`skipped ${e.groupId}: already scored`);
    opts.onEvent?.(e);
  };

  const consumer: DurableConsumer = await startDurableConsumer(nats, { stream: 'ROLLOUTS', durable, handler, settings: opts.consumer, onEvent });

  return {
    durable,
    totalSteps,
    stats() {
      const m: Record<string, Record<string, number>> = {};
      for (const [w, byCode] of missing) m[w] = Object.fromEntries(byCode);
      return { ...counts, missing: m, consumer: { ...consumer.stats } };
    },
    stop: () => consumer.stop(),
  };
}
