// Data-parallel learner ranks agree on each step's batch: rank 0 chooses the
// groups (as a single learner would) and answers "which groups make step s?" over
// NATS request/reply; every other rank asks until rank 0 has decided, then trains
// its share of those groups (group i goes to rank i mod worldSize) while the engine
// all-reduces the gradients (c10d). Request/reply with retries, rather than a
// broadcast, so that a rank that starts late or a lost message only delays it.
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

/** Rank 0: remembers the last plans and serves them. */
export class BatchPlanServer {
  private readonly plans = new Map<number, BatchPlan>();
  private readonly sub: Subscription;

  constructor(nc: NatsConnection, runId: string, private readonly keep = 64) {
    this.sub = nc.subscribe(batchPlanSubject(runId), {
      callback: (err, msg) => {
        if (err) return;
        let step = -1;
        try {
          step = Number((JSON.parse(new TextDecoder().decode(msg.data)) as { step?: unknown }).step);
        } catch {
          // garbage: answered as "no plan"
        }
        msg.respond(encode(this.plans.get(step) ?? { step, pending: true }));
      },
    });
  }

  record(plan: BatchPlan): void {
    this.plans.set(plan.step, plan);
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
      const plan = JSON.parse(new TextDecoder().decode(reply.data)) as BatchPlan & { pending?: boolean };
      if (!plan.pending && plan.step === step && Array.isArray(plan.groupIds)) return plan;
    } catch {
      // no responder yet (rank 0 starting) or a timeout: ask again
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
