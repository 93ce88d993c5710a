// The learner's training loop. Per step s (policy version s is being served):
//   1. feed: publish the RolloutRequests of every step up to s + maxOffPolicySteps
//      that is not yet published (bounded in flight: backpressure on the workers);
//   2. take promptsPerStep scored groups sampled by version ≥ s − maxOffPolicySteps
//      (older ones are dropped and replaced by new requests of step s);
//   3. advantages (engine, per group), reference log-probs (if β > 0), one GRPO
//      step (engine: micro-batched backward, clip, AdamW);
//   4. publish version s + 1, ack the groups, write the metrics row, checkpoint
//      when due.
// A group id already trained on (a redelivery) is acked by the consumer's
// duplicate filter without reaching the loop. With several data-parallel ranks,
// rank 0 does all of the above and the others train the groups it chose
// (batch-plan.ts); each rank trains its share and the engine all-reduces.
import type { NatsConnection } from 'nats';
import type { RolloutRequest, ScoredGroup } from '@datarus/contracts';
import type { RunConfig } from '@datarus/config';
import { Engine, GIB, processMemory, resetPeakMemory } from '@datarus/engine';
import { JetStreamPublisher, ProcessedIds, startDurableConsumer, type DurableConsumer } from '@datarus/transport';
import { curriculumWeights } from '@datarus/reward';
import { throughput } from '@datarus/grpo';
import { buildBatch, meanStderr } from './grpo-batch.js';
import { GroupInbox } from './group-inbox.js';
import { saveCheckpoint, type LearnerState } from './checkpoints.js';
import type { PolicyPublisher } from './policy-publisher.js';
import type { StepMetrics } from './step-metrics.js';
import { requestFor } from './task-feed.js';
import { fetchBatchPlan, shareAdvantages, shareOf, type BatchPlanServer } from './batch-plan.js';

export interface LearnerOptions {
  config: RunConfig;
  engine: Engine;
  nc: NatsConnection;
  /** Rank 0 publishes each new version; absent on other ranks. */
  policy?: PolicyPublisher;
  /** Rank 0 of several: where the other ranks learn each step's groups. */
  plans?: BatchPlanServer;
  incarnation: number;
  /** Where a resumed run starts (step and trained group ids); null = step 0. */
  resumed: LearnerState | null;
  onStep: (m: StepMetrics) => void;
  /** After each step: the groups trained (all ranks' shares) and their advantages, [groups × G]. */
  onTrained?: (step: number, groups: readonly ScoredGroup[], advantages: ArrayLike<number>) => void;
  onWaiting?: (info: { step: number; waitingSeconds: number; ready: number }) => void;
  log: (msg: string) => void;
  signal: AbortSignal;
  /** GEMM rate of this rank's training device (GFLOP/s; Engine.matmulGflops): the MFU peak. Without it MFU is NaN. */
  peakGflops?: number;
}

/** The durable consumer name of learner rank `rank`. */
export const learnerDurable = (runId: string, rank: number) => `${runId}-learner-r${rank}`;

export class Learner {
  private readonly inbox: GroupInbox;
  private readonly processed: ProcessedIds;
  private consumer: DurableConsumer | null = null;
  private readonly publisher: JetStreamPublisher;
  private fedThrough = -1;
  private replacements = new Map<number, number>();
  step: number;
  private version: number;
  private duplicatesSeen = 0;
  private startedMs = 0;
  private readonly rank: number;
  private readonly worldSize: number;

  constructor(private readonly o: LearnerOptions) {
    this.rank = o.config.grpo.distributed?.rank ?? 0;
    this.worldSize = o.config.grpo.distributed?.worldSize ?? 1;
    this.inbox = new GroupInbox(o.config.runId, this.rank === 0 ? o.incarnation : -1);
    this.processed = new ProcessedIds(o.config.consumer.dedupeCapacity, o.resumed?.processedIds ?? []);
    this.publisher = new JetStreamPublisher(o.nc.jetstream());
    this.step = o.resumed?.step ?? 0;
    this.version = o.resumed?.policyVersion ?? 0;
  }

  async run(): Promise<void> {
    const { config } = this.o;
    const P = config.grpo.promptsPerStep;
    this.consumer = await startDurableConsumer(this.o.nc, {
      stream: 'SCORED',
      durable: learnerDurable(config.runId, this.rank),
      // every group of the steps in flight may be parked at once
      settings: { ...config.consumer, concurrency: P * (config.maxOffPolicySteps + 2) + 8 },
      processed: this.processed,
      handler: (group, delivery) => this.inbox.deliver(group, delivery.groupId),
      onEvent: (e) => {
        if (e.type === 'duplicate') this.duplicatesSeen++;
        if (e.type === 'dead-lettered') this.o.log(`dead-lettered ${e.groupId || '(undecodable)'}: ${e.reason}`);
      },
    });
    this.startedMs = Date.now();
    try {
      while (this.step < config.steps) {
        if (this.o.signal.aborted) break;
        await this.trainStep();
      }
    } finally {
      this.inbox.releaseAll(new Error('learner stopping'));
      await this.consumer.stop();
    }
  }

  state(): LearnerState {
    return { step: this.step, policyVersion: this.version, processedIds: this.processed.snapshot() };
  }

  private async feed(): Promise<void> {
    const { config } = this.o;
    const through = Math.min(config.steps - 1, this.step + config.maxOffPolicySteps);
    for (let t = Math.max(this.fedThrough + 1, this.step); t <= through; t++) {
      for (let i = 0; i < config.grpo.promptsPerStep; i++) await this.publishRequest(requestFor(config, this.o.incarnation, t, i));
      this.fedThrough = t;
    }
  }

  private async publishRequest(r: RolloutRequest): Promise<void> {
    await this.publisher.publish('TASKS', r);
  }

  private async replace(step: number): Promise<void> {
    const next = (this.replacements.get(step) ?? this.o.config.grpo.promptsPerStep) + 1;
    this.replacements.set(step, next);
    await this.publishRequest(requestFor(this.o.config, this.o.incarnation, step, next - 1));
  }

  /** Rank 0 (or the only learner): feeds tasks, takes the next fresh groups, and tells the other ranks. */
  private async takeAsLeader(s: number) {
    const { config } = this.o;
    await this.feed();
    const minVersion = Math.max(0, this.version - config.maxOffPolicySteps);
    const taken = await this.inbox.take(
      config.grpo.promptsPerStep,
      minVersion,
      () => this.replace(s).catch((e: Error) => this.o.log(`could not request a replacement group: ${e.message}`)),
      this.o.signal,
    );
    this.o.plans?.record({ step: s, incarnation: this.o.incarnation, groupIds: taken.map((t) => t.groupId) });
    return taken;
  }

  /** Ranks > 0: the groups rank 0 chose for step s. */
  private async takeAsFollower(s: number) {
    const plan = await fetchBatchPlan(this.o.nc, this.o.config.runId, s, this.o.signal);
    // groups replayed from earlier runs or incarnations would otherwise fill the consumer's slots
    this.inbox.adoptIncarnation(plan.incarnation);
    return this.inbox.takeIds(plan.groupIds, s, this.o.signal);
  }

  private async trainStep(): Promise<void> {
    const { config, engine } = this.o;
    const s = this.step;
    const tWait = performance.now();
    resetPeakMemory();
    const staleBefore = this.inbox.counters.stale;
    const duplicatesBefore = this.duplicatesSeen;
    const waitTicker = setInterval(
      () => this.o.onWaiting?.({ step: s + 1, waitingSeconds: (performance.now() - tWait) / 1000, ready: this.inbox.size }),
      1000,
    );
    let taken;
    try {
      taken = this.rank === 0 ? await this.takeAsLeader(s) : await this.takeAsFollower(s);
    } finally {
      clearInterval(waitTicker);
    }
    const waiting = (performance.now() - tWait) / 1000;
    const groups: ScoredGroup[] = taken.map((t) => t.group);
    try {
      // Every rank holds all of the step's groups: advantages over the whole batch (so
      // scaleRewards 'batch' uses the global std), then this rank trains its share and
      // the engine all-reduces gradients over the ranks.
      const all = buildBatch(groups);
      const adv = Engine.groupAdvantages(all.rewards, all.groupSize, { scaleRewards: config.grpo.scaleRewards, eps: config.grpo.advantageEps });
      const mine = shareOf(groups.map((_, g) => g), this.rank, this.worldSize);
      const batch = this.worldSize > 1 ? buildBatch(mine.map((g) => groups[g])) : all;
      const advantages = this.worldSize > 1 ? shareAdvantages(adv.advantages, all.groupSize, mine) : adv.advantages;
      const tRef = performance.now();
      const refLogprobs = config.grpo.beta > 0 ? await engine.referenceLogprobs(batch.sequences) : undefined;
      const reference = (performance.now() - tRef) / 1000;
      const tTrain = performance.now();
      const g = config.grpo;
      const stats = await engine.grpoStep(
        { sequences: batch.sequences, masks: batch.masks, advantages, oldLogprobs: batch.oldLogprobs, refLogprobs },
        {
          epsilon: g.epsilon,
          epsilonHigh: g.epsilonHigh,
          beta: g.beta,
          klEstimator: g.klEstimator,
          lossType: g.lossType,
          entropyCoef: g.entropyCoef,
          microBatchSize: g.microBatchSize,
          maxCompletionLength: g.lossType === 'dr_grpo' ? g.maxCompletionLength : 0,
          logitTokens: g.logitTokens,
          gradientCheckpointing: g.gradientCheckpointing,
          lr: g.lr,
          beta1: g.beta1,
          beta2: g.beta2,
          weightDecay: g.weightDecay,
          maxGradNorm: g.maxGradNorm,
          warmupSteps: g.warmupSteps,
          totalSteps: g.totalSteps,
          minLrRatio: g.minLrRatio,
        },
      );
      const training = (performance.now() - tTrain) / 1000;
      const tPub = performance.now();
      this.step = s + 1;
      this.version = s + 1;
      if (this.rank === 0) this.o.policy?.publish(this.version, this.step);
      const weights = (performance.now() - tPub) / 1000;
      for (const t of taken) t.settle();
      this.o.onTrained?.(s + 1, groups, adv.advantages);
      this.o.onStep(this.metrics(s + 1, groups, all, adv, stats, { waiting, reference, training, weights }, taken, staleBefore, duplicatesBefore));
      if (this.rank === 0 && config.grpo.checkpointEvery > 0 && this.step % config.grpo.checkpointEvery === 0 && this.step < config.steps) {
        await saveCheckpoint(engine, config, this.state());
      }
    } catch (e) {
      // leave the groups unacked: they are redelivered to whoever trains next
      for (const t of taken) t.settle(e as Error);
      throw e;
    }
  }

  private throughput(stats: { processedTokens: number; modelFlops: number }, trainingSeconds: number) {
    const peak = this.o.peakGflops ?? 0;
    const { tokensPerSecond, mfu } = throughput(stats.processedTokens, trainingSeconds, stats.modelFlops, peak * 1e9);
    return { tokensPerSecond, mfu: peak > 0 ? mfu : NaN };
  }

  private metrics(
    step: number,
    groups: ScoredGroup[],
    batch: ReturnType<typeof buildBatch>,
    adv: ReturnType<typeof Engine.groupAdvantages>,
    stats: Awaited<ReturnType<Engine['grpoStep']>>,
    t: { waiting: number; reference: number; training: number; weights: number },
    taken: { arrivedMs: number; group: ScoredGroup }[],
    staleBefore: number,
    duplicatesBefore: number,
  ): StepMetrics {
    const r = meanStderr(batch.rewards);
    const a = meanStderr(Array.from(adv.advantages));
    const w = curriculumWeights(step - 1, this.o.config.reward.curriculum);
    const versions = groups.map((g) => g.group?.policyVersion ?? 0);
    let generation = 0;
    let reward = 0;
    for (const { group: sg, arrivedMs } of taken) {
      const tm = sg.group?.timing;
      if (!tm) continue;
      generation += (tm.prefillMs + tm.decodeMs + tm.toolMs) / 1000;
      reward += Math.max(0, arrivedMs - (Number(tm.startedUnixMs) + tm.totalMs)) / 1000;
    }
    const stepSeconds = t.waiting + t.reference + t.training + t.weights;
    const learnerMemory = processMemory();
    const rolloutPeaks = groups.map((g) => Number(g.group?.workerPeakRssBytes ?? 0)).filter((b) => b > 0);
    const correct = meanStderr(batch.correct);
    return {
      step,
      time: Date.now(),
      elapsed: (Date.now() - this.startedMs) / 1000,
      reward: r.mean,
      rewardStd: r.std,
      rewardStderr: r.stderr,
      groupRewards: groups.map((_, g) => meanStderr(batch.rewards.slice(g * batch.groupSize, (g + 1) * batch.groupSize)).mean),
      components: batch.components,
      accuracy: correct.mean,
      wStruct: w.wStruct,
      wSem: w.wSem,
      advantageMean: a.mean,
      advantageStd: a.std,
      fracRewardZeroStd: adv.zeroStdGroups / adv.groupMean.length,
      missingRewards: adv.missing,
      completionLengthMean: stats.completionLengthMean,
      completionLengthMin: stats.completionLengthMin,
      completionLengthMax: stats.completionLengthMax,
      loss: stats.loss,
      kl: stats.kl,
      entropy: stats.entropy,
      clipRatioLow: stats.clipRatioLow,
      clipRatioHigh: stats.clipRatioHigh,
      gradNorm: stats.gradNorm,
      lr: stats.lr,
      skipped: stats.skipped,
      ...this.throughput(stats, t.training),
      groupIds: groups.map((g) => g.group?.groupId ?? ''),
      policyVersionMin: Math.min(...versions),
      policyVersionMax: Math.max(...versions),
      staleGroups: this.inbox.counters.stale - staleBefore,
      duplicateGroups: this.duplicatesSeen - duplicatesBefore,
      seconds: { step: stepSeconds, generation, reward, reference: t.reference, training: t.training, waiting: t.waiting, weights: t.weights },
      memory: {
        learnerPeakGiB: learnerMemory.peakRssBytes / GIB,
        learnerGiB: learnerMemory.rssBytes / GIB,
        rolloutPeakGiB: rolloutPeaks.length ? Math.max(...rolloutPeaks) / GIB : NaN,
      },
    };
  }
}
