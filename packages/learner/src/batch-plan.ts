// Data-parallel learner ranks agree on each step's batch: rank 0 chooses the
// groups (as a single learner would) and answers "which groups make step s?" over
// NATS request/reply; every other rank asks until rank 0 has decided, then trains
// its share of those groups (group i goes to rank i mod worldSize) while the engine
// all-reduces the gradients (c10d). Request/reply with retries, rather than a
// broadcast, so that a rank that starts late or a lost message only delays it.
//
// Every rank must start from the same step. One that resumed from another
// checkpoint than rank 0 (say, run directories that are not shared, where rank 0
// resumes and the others start over) would wait for a plan that never comes while
// rank 0 waits for it in the all-reduce; rank 0 answers such a request with the
// step it is at instead, and the rank stops with E_RANK_MISMATCH.
import type { NatsConnection, Subscription } from 'nats';
import { DatarusError, ErrorCode, eventSubject } from '@datarus/contracts';

export interface BatchPlan {
  step: number;
  /** Rank 0's incarnation (the group ids carry it). */
  incarnation: number;
  /** The step's group ids in rank 0's order. */
  groupIds: string[];
}

/** The subject of a run's batch plans. */
export const batchPlanSubject = (runId: string) => eventSubject(`batch-${runId}`);

const encode = (x: unknown) => new TextEncoder().encode(JSON.stringify(x));

/** The groups of a batch that rank `rank` of `worldSize` trains. */
export function shareOf<T>(items: readonly T[], rank: number, worldSize: number): T[] {
  return items.filter((_, i) => i % worldSize === rank);
}

/** The advantages of groups `groups` (indices into the step's batch), G samples each, in order. */
export function shareAdvantages(advantages: Float32Array, groupSize: number, groups: readonly number[]): Float32Array {
  const out = new Float32Array(groups.length * groupSize);
  groups.forEach((g, i) => out.set(advantages.subarray(g * groupSize, (g + 1) * groupSize), i * groupSize));
  return out;
}

/** What rank 0 answers to "which groups make step s?". */
export type PlanReply = BatchPlan | { step: number; pending: true } | { step: number; mismatch: true; leaderStep: number };

/**
 * Rank 0's answer for `step` from the plans it holds, the first step of this run
 * (the resumed one) and the last step it planned: the plan; "pending" for the one
 * step a follower may ask for before rank 0 has decided it; "mismatch" for any
 * other step (one this rank 0 never plans, or one a finished step cannot lead to).
 */
export function planReply(plans: ReadonlyMap<number, BatchPlan>, step: number, firstStep: number, lastPlanned: number): PlanReply {
  const plan = plans.get(step);
  if (plan) return plan;
  const next = Math.max(firstStep, lastPlanned + 1);
  if (step === next) return { step, pending: true };
  return { step, mismatch: true, leaderStep: next };
}

/** Rank 0: remembers the last plans and serves them. */
export class BatchPlanServer {
  private readonly plans = new Map<number, BatchPlan>();
  private readonly sub: Subscription;
  private lastPlanned = -1;

  /** `firstStep`: the step this rank 0 trains first (0, or the step it resumed at). */
  constructor(nc: NatsConnection, runId: string, private readonly firstStep = 0, private readonly keep = 64) {
    this.sub = nc.subscribe(batchPlanSubject(runId), {
      callback: (err, msg) => {
        if (err) return;
        let step = NaN;
        try {
          step = Number((JSON.parse(new TextDecoder().decode(msg.data)) as { step?: unknown }).step);
        } catch {
          // garbage: answered as "no plan"
        }
        msg.respond(encode(Number.isInteger(step) ? planReply(this.plans, step, this.firstStep, this.lastPlanned) : { step, pending: true }));
      },
    });
  }

  record(plan: BatchPlan): void {
    this.plans.set(plan.step, plan);
    this.lastPlanned = Math.max(this.lastPlanned, plan.step);
    for (const s of this.plans.keys()) if (s <= plan.step - this.keep) this.plans.delete(s);
  }

  close(): void {
    this.sub.unsubscribe();
  }
}

/** Ranks > 0: the plan of `step`, asked for until rank 0 has made it. */
export async function fetchBatchPlan(nc: NatsConnection, runId: string, step: number, signal?: AbortSignal, pollMs = 200): Promise<BatchPlan> {
  for (;;) {
    if (signal?.aborted) throw new DatarusError(ErrorCode.Aborted, 'waiting for the batch plan was cancelled');
    try {
      const reply = await nc.request(batchPlanSubject(runId), encode({ step }), { timeout: 2000 });
      const plan = JSON.parse(new TextDecoder().decode(reply.data)) as BatchPlan & { pending?: boolean; mismatch?: boolean; leaderStep?: number };
      if (plan.mismatch) {
        throw new DatarusError(
          ErrorCode.RankMismatch,
          `this rank is at step ${step} but rank 0 is at step ${plan.leaderStep}: every rank must resume from the same checkpoint ` +
            `(share the run directory between ranks, or copy rank 0's newest checkpoint into this rank's)`,
        );
      }
      if (!plan.pending && plan.step === step && Array.isArray(plan.groupIds)) return plan;
    } catch (e) {
      if (e instanceof DatarusError) throw e;
      // no responder yet (rank 0 starting) or a timeout: ask again
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
