// A typed durable pull consumer of one work stream (TASKS, ROLLOUTS or SCORED):
// explicit acks, an ack wait that a live handler keeps extending, bounded
// messages in flight (backpressure: nothing more is pulled while `concurrency`
// handlers run), and a dead-letter path that never stops the loop.
//
// Per delivery:
//   1. delivered more than maxDeliver times  -> dead letter E_MAX_DELIVERIES
//      (the server's max_deliver is maxDeliver + 1, so a delivery whose handler
//      crashed the process still comes back once more to be dead-lettered here)
//   2. bytes do not decode, or break the contract (no group id, ragged arrays)
//                                             -> dead letter E_BAD_MESSAGE
//   3. group id already processed (ProcessedIds) -> ack, counted as duplicate;
//      being handled by this process right now -> nak, looked at again later
//   4. handler resolves -> id recorded, ack; handler throws a DatarusError with
//      E_BAD_MESSAGE -> dead letter; throws anything else -> nak after nakDelayMs,
//      or dead letter E_MAX_DELIVERIES on the last allowed delivery.
import {
  AckPolicy,
  DeliverPolicy,
  nanos,
  type ConsumerConfig,
  type ConsumerMessages,
  type JsMsg,
  type MsgHdrs,
  type NatsConnection,
} from 'nats';
import {
  consumerName,
  DatarusError,
  decodeMessage,
  ErrorCode,
  StreamMessage,
  streamSubject,
  type WorkStreamName,
} from '@datarus/contracts';
import { ConsumerSettings, parseConfig } from '../transport-config.js';
import { ProcessedIds } from '../processed-ids.js';
import { deadLetter } from './dead-letter.js';
import { groupIdOf, type StreamMessageType } from './publisher.js';
import { checkWorkMessage } from './work-message-check.js';

export interface Delivery {
  subject: string;
  streamSequence: number;
  /** 1 on first delivery. */
  deliveryCount: number;
  groupId: string;
  headers: MsgHdrs | undefined;
}

export type ConsumerEvent =
  | { type: 'dead-lettered'; groupId: string; code: ErrorCode; reason: string; streamSequence: number }
  | { type: 'duplicate'; groupId: string; streamSequence: number }
  | { type: 'retry'; groupId: string; deliveryCount: number; error: string }
  | { type: 'status'; status: string; data: unknown };

export interface DurableConsumerOptions<S extends WorkStreamName> {
  stream: S;
  /** Durable name shared by every copy of the consuming process, e.g. 'rollout-workers'. */
  durable: string;
  handler: (message: StreamMessageType<S>, delivery: Delivery) => Promise<void> | void;
  settings?: Partial<ConsumerSettings>;
  /** Duplicate filter; default a new ProcessedIds(settings.dedupeCapacity); null turns it off. */
  processed?: ProcessedIds | null;
  onEvent?: (e: ConsumerEvent) => void;
}

export interface ConsumerStats {
  /** Deliveries taken off the stream (redeliveries included). */
  delivered: number;
  /** Handler runs that succeeded (and were acked). */
  handled: number;
  duplicates: number;
  deadLettered: number;
  /** Handler runs that threw (then retried or dead-lettered). */
  failed: number;
}

export interface DurableConsumer {
  readonly stream: WorkStreamName;
  readonly durable: string;
  readonly stats: Readonly<ConsumerStats>;
  readonly processed: ProcessedIds | null;
  /** Stops pulling, waits for the handlers in flight (their messages are acked or nak'ed). */
  stop(): Promise<void>;
}

/** The JetStream consumer configuration of a durable under `settings`. */
export function durableConsumerConfig(stream: WorkStreamName, durable: string, settings: ConsumerSettings): Partial<ConsumerConfig> {
  return {
    durable_name: consumerName(durable),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: streamSubject(stream),
    ack_wait: nanos(settings.ackWaitMs),
    max_deliver: settings.maxDeliver + 1,
    max_ack_pending: settings.maxAckPending,
  };
}

/** Creates the durable (or updates its settings) and starts consuming. The caller owns `nc`. */
export async function startDurableConsumer<S extends WorkStreamName>(nc: NatsConnection, opts: DurableConsumerOptions<S>): Promise<DurableConsumer> {
  const settings = parseConfig(ConsumerSettings, opts.settings ?? {}, 'consumer');
  const { stream } = opts;
  const durable = consumerName(opts.durable);
  const want = durableConsumerConfig(stream, durable, settings);
  const jsm = await nc.jetstreamManager();
  try {
    const existing = await jsm.consumers.info(stream, durable).catch((e: Error) => {
      if (/not found/i.test(e.message)) return null;
      throw e;
    });
    if (!existing) await jsm.consumers.add(stream, want);
    else if (existing.config.ack_wait !== want.ack_wait || existing.config.max_deliver !== want.max_deliver || existing.config.max_ack_pending !== want.max_ack_pending) {
      await jsm.consumers.update(stream, durable, { ack_wait: want.ack_wait, max_deliver: want.max_deliver, max_ack_pending: want.max_ack_pending });
    }
  } catch (e) {
    throw new DatarusError(ErrorCode.TransportFailed, `consumer ${stream}/${durable}: ${(e as Error).message}`, { cause: e });
  }

  const js = nc.jetstream();
  const consumer = await js.consumers.get(stream, durable);
  const messages: ConsumerMessages = await consumer.consume({ max_messages: settings.concurrency });
  const processed = opts.processed === undefined ? new ProcessedIds(settings.dedupeCapacity) : opts.processed;
  const stats: ConsumerStats = { delivered: 0, handled: 0, duplicates: 0, deadLettered: 0, failed: 0 };
  const emit = (e: ConsumerEvent) => {
    try {
      opts.onEvent?.(e);
    } catch {
      // an observer's bug must not stop the consumer
    }
  };
  const messageName = StreamMessage[stream];

  const running = new Set<string>();
  const toDlq = async (m: JsMsg, groupId: string, code: ErrorCode, reason: string) => {
    if (await deadLetter(js, m, { stream, consumer: durable, code, reason }, settings.nakDelayMs)) {
      stats.deadLettered++;
      emit({ type: 'dead-lettered', groupId, code, reason, streamSequence: m.seq });
    }
  };

  const handle = async (m: JsMsg) => {
    stats.delivered++;
    const deliveryCount = m.info.deliveryCount;
    if (deliveryCount > settings.maxDeliver) {
      return toDlq(m, '', ErrorCode.MaxDeliveries, `delivered ${deliveryCount} times (max ${settings.maxDeliver}) without an ack`);
    }
    let message: StreamMessageType<S>;
    try {
      message = decodeMessage(messageName, m.data) as StreamMessageType<S>;
    } catch (e) {
      return toDlq(m, '', ErrorCode.BadMessage, (e as Error).message);
    }
    const problem = checkWorkMessage(stream, message);
    if (problem) return toDlq(m, groupIdOf(stream, message), ErrorCode.BadMessage, `${messageName}: ${problem}`);
    const groupId = groupIdOf(stream, message);
    if (processed?.has(groupId)) {
      stats.duplicates++;
      emit({ type: 'duplicate', groupId, streamSequence: m.seq });
      m.ack();
      return;
    }
    if (running.has(groupId)) {
      // the same group is being handled right now (a redelivery overtook it): look again later
      m.nak(settings.nakDelayMs);
      return;
    }
    running.add(groupId);
    const keepAlive = settings.extendAckWait ? setInterval(() => m.working(), Math.max(100, Math.floor(settings.ackWaitMs / 3))) : undefined;
    try {
      await opts.handler(message, { subject: m.subject, streamSequence: m.seq, deliveryCount, groupId, headers: m.headers });
    } catch (e) {
      stats.failed++;
      const reason = (e as Error)?.message ?? String(e);
      if (e instanceof DatarusError && e.code === ErrorCode.BadMessage) return toDlq(m, groupId, ErrorCode.BadMessage, reason);
      if (deliveryCount >= settings.maxDeliver) {
        return toDlq(m, groupId, ErrorCode.MaxDeliveries, `failed on each of ${deliveryCount} deliveries; last: ${reason}`);
      }
      emit({ type: 'retry', groupId, deliveryCount, error: reason });
      m.nak(settings.nakDelayMs);
      return;
    } finally {
      clearInterval(keepAlive);
      running.delete(groupId);
    }
    processed?.add(groupId);
    stats.handled++;
    m.ack();
  };

  const inflight = new Set<Promise<void>>();
  const loop = (async () => {
    for await (const m of messages) {
      const p: Promise<void> = handle(m)
        .catch(() => {
          // handle() catches everything it expects; anything else leaves the message to the ack wait.
        })
        .finally(() => inflight.delete(p));
      inflight.add(p);
      while (inflight.size >= settings.concurrency) await Promise.race(inflight);
    }
  })().catch((e: unknown) => {
    // The iterator fails when the connection is closed under it: the consumer is over.
    emit({ type: 'status', status: 'closed', data: e });
  });
  void (async () => {
    for await (const s of await messages.status()) emit({ type: 'status', status: String(s.type), data: s.data });
  })().catch(() => {});

  return {
    stream,
    durable,
    stats,
    processed,
    async stop() {
      messages.stop();
      await loop;
      await Promise.all(inflight);
    },
  };
}
