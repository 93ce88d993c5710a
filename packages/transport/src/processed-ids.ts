// A bounded set of processed ids (least recently seen evicted first): the
// "delivered twice, trained once" filter in front of a handler. JetStream is
// at-least-once: a message whose ack was lost, or whose consumer died after the
// work but before the ack, comes again with the same group id. The set lives in
// memory; a process that must stay exactly-once across restarts saves
// `snapshot()` with its checkpoint and passes it back to the constructor.
import { DatarusError, ErrorCode } from '@datarus/contracts';

export class ProcessedIds {
  private readonly ids = new Map<string, true>();

  constructor(
    readonly capacity = 100_000,
    initial: Iterable<string> = [],
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new DatarusError(ErrorCode.InvalidArgument, `capacity must be a positive integer, got ${capacity}`);
    for (const id of initial) this.add(id);
  }

  get size(): number {
    return this.ids.size;
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Records `id` as processed (refreshing it when already there), evicting the oldest past capacity. */
  add(id: string): void {
    this.ids.delete(id);
    this.ids.set(id, true);
    while (this.ids.size > this.capacity) this.ids.delete(this.ids.keys().next().value as string);
  }

  /**
   * Runs `work` unless `id` was processed; records it only when `work` succeeds,
   * so a failed attempt can be retried. Returns false for a duplicate.
   * Concurrent calls for the same id are not coalesced: give one id one handler.
   */
  async once(id: string, work: () => Promise<void> | void): Promise<boolean> {
    if (this.has(id)) return false;
    await work();
    this.add(id);
    return true;
  }

  /** Ids from oldest to newest, for a checkpoint. */
  snapshot(): string[] {
    return [...this.ids.keys()];
  }
}
