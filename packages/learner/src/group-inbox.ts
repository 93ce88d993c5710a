// Where scored groups wait for the step that trains them. The SCORED consumer's
// handler parks each delivery here and its message stays unacked until the group
// is trained (or dropped), so a learner that dies before training a group gets it
// redelivered. A group from another run or an earlier incarnation of this learner
// (sampled before a restart, by weights that no longer exist) is dropped, and so
// is a group older than the step's staleness bound; the caller replaces it.
import type { ScoredGroup } from '@datarus/contracts';
import { parseGroupId } from './task-feed.js';

interface Parked {
  group: ScoredGroup;
  groupId: string;
  arrivedMs: number;
  settle: (error?: Error) => void;
}

export interface InboxCounters {
  foreign: number;
  stale: number;
  taken: number;
}

export class GroupInbox {
  private readonly ready: Parked[] = [];
  private wake: (() => void) | null = null;
  readonly counters: InboxCounters = { foreign: 0, stale: 0, taken: 0 };

  /** incarnation −1 accepts every incarnation (a follower rank: rank 0's plans name the groups). */
  constructor(
    private readonly runId: string,
    private incarnation: number,
  ) {}

  /** A follower learns rank 0's incarnation from its first plan: groups of any other are dropped from now on. */
  adoptIncarnation(incarnation: number): void {
    if (this.incarnation === incarnation) return;
    this.incarnation = incarnation;
    for (let i = this.ready.length - 1; i >= 0; i--) {
      const p = this.ready[i];
      if (parseGroupId(p.groupId)?.incarnation !== incarnation) {
        this.ready.splice(i, 1);
        this.counters.foreign++;
        p.settle();
      }
    }
  }

  /** The consumer handler: resolves when the group was trained or dropped (then acked). */
  deliver(group: ScoredGroup, groupId: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const id = parseGroupId(groupId);
      if (!id || id.runId !== this.runId || (this.incarnation >= 0 && id.incarnation !== this.incarnation)) {
        this.counters.foreign++;
        resolve();
        return;
      }
      this.ready.push({ group, groupId, arrivedMs: Date.now(), settle: (e) => (e ? reject(e) : resolve()) });
      this.wake?.();
    });
  }

  /**
   * Takes the next `n` groups sampled by policy version ≥ minVersion, in arrival
   * order; older ones are dropped (acked) and reported through onStale, so the
   * caller can request replacements. Waits as long as needed (or until aborted).
   */
  async take(n: number, minVersion: number, onStale: (g: ScoredGroup) => void, signal?: AbortSignal): Promise<{ group: ScoredGroup; groupId: string; arrivedMs: number; settle: (e?: Error) => void }[]> {
    const out: Parked[] = [];
    while (out.length < n) {
      const next = this.ready.shift();
      if (next) {
        if ((next.group.group?.policyVersion ?? 0) < minVersion) {
          this.counters.stale++;
          next.settle();
          onStale(next.group);
        } else {
          out.push(next);
        }
        continue;
      }
      if (signal?.aborted) {
        // put them back for whoever comes next; the caller stops
        this.ready.unshift(...out);
        throw signal.reason ?? new Error('aborted');
      }
      await this.nextDelivery(signal);
    }
    this.counters.taken += out.length;
    return out;
  }

  /**
   * Takes exactly the groups `ids` (a batch plan of step `step`), waiting for the
   * ones not yet delivered. Groups of that step or earlier that the plan does not
   * name will never be trained here: they are dropped (acked).
   */
  async takeIds(ids: readonly string[], step: number, signal?: AbortSignal): Promise<Parked[]> {
    const wanted = new Set(ids);
    for (;;) {
      for (let i = this.ready.length - 1; i >= 0; i--) {
        const p = this.ready[i];
        const s = parseGroupId(p.groupId)?.step ?? 0;
        if (!wanted.has(p.groupId) && s <= step) {
          this.ready.splice(i, 1);
          this.counters.stale++;
          p.settle();
        }
      }
      const found = ids.map((id) => this.ready.find((p) => p.groupId === id));
      if (found.every((p) => p !== undefined)) {
        for (const p of found) this.ready.splice(this.ready.indexOf(p!), 1);
        this.counters.taken += found.length;
        return found as Parked[];
      }
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      await this.nextDelivery(signal);
    }
  }

  /** Resolves at the next delivery, or when `signal` aborts. */
  private async nextDelivery(signal?: AbortSignal): Promise<void> {
    let onAbort: (() => void) | undefined;
    await new Promise<void>((r) => {
      this.wake = r;
      onAbort = () => r();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    this.wake = null;
  }

  /** Groups waiting now. */
  get size(): number {
    return this.ready.length;
  }

  /** Lets every parked delivery go unacked-and-nak'ed (shutdown): they are redelivered later. */
  releaseAll(reason: Error): void {
    for (const p of this.ready.splice(0)) p.settle(reason);
  }
}
