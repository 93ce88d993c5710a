// Typed JetStream publisher: encodes a message of proto/ for its stream, sets
// Nats-Msg-Id (by default the group id) so a group published twice within the
// stream's duplicate window is stored once, and retries a publish that timed out
// (safe because of that id). A publish the server does not confirm is
// E_TRANSPORT_FAILED.
import { headers as natsHeaders, type JetStreamClient, type PubAck } from 'nats';
import {
  DatarusError,
  encodeMessage,
  ErrorCode,
  StreamMessage,
  streamSubject,
  type MessageName,
  type MessageTypes,
  type WorkStreamName,
} from '@datarus/contracts';

/** The message type a work stream carries. */
export type StreamMessageType<S extends WorkStreamName> = MessageTypes[(typeof StreamMessage)[S]];

export interface PublishOptions {
  /** De-duplication id; default: the message's group id. */
  msgId?: string;
  /** Extra headers. */
  headers?: Record<string, string>;
  /** Time to wait for the server's ack per attempt, ms (default 5000). */
  timeoutMs?: number;
  /** Attempts when the ack does not come (default 3). */
  attempts?: number;
}

export interface Published {
  stream: string;
  /** Stream sequence the message is stored at (the first copy's, for a duplicate). */
  seq: number;
  /** True when the server already held a message with this msg id. */
  duplicate: boolean;
}

/** The group id a work message carries (its default msg id). */
export function groupIdOf<S extends WorkStreamName>(stream: S, message: StreamMessageType<S>): string {
  if (stream === 'SCORED') return (message as MessageTypes['datarus.v1.ScoredGroup']).group?.groupId ?? '';
  return (message as MessageTypes['datarus.v1.RolloutRequest'] | MessageTypes['datarus.v1.RolloutGroup']).groupId ?? '';
}

export class JetStreamPublisher {
  constructor(private readonly js: JetStreamClient) {}

  /** Publishes `message` on the work stream's subject, de-duplicated by its group id (or opts.msgId). */
  publish<S extends WorkStreamName>(stream: S, message: StreamMessageType<S>, opts: PublishOptions = {}): Promise<Published> {
    const msgId = opts.msgId ?? groupIdOf(stream, message);
    if (!msgId) throw new DatarusError(ErrorCode.InvalidArgument, `${stream}: a message needs a group id (or opts.msgId) to be de-duplicated`);
    const name: MessageName = StreamMessage[stream];
    return this.publishBytes(streamSubject(stream), encodeMessage(name, message as never), { ...opts, msgId });
  }

  /** Publishes any message of proto/ on `subject` (a subject from @datarus/contracts' builders). */
  publishMessage<K extends MessageName>(subject: string, name: K, message: MessageTypes[K], opts: PublishOptions = {}): Promise<Published> {
    return this.publishBytes(subject, encodeMessage(name, message), opts);
  }

  /** Publishes raw bytes (already encoded, or deliberately not: tests of the dead-letter path). */
  async publishBytes(subject: string, data: Uint8Array, opts: PublishOptions = {}): Promise<Published> {
    const h = natsHeaders();
    for (const [k, v] of Object.entries(opts.headers ?? {})) h.set(k, v);
    const attempts = Math.max(1, opts.attempts ?? 3);
    let last: unknown;
    for (let i = 0; i < attempts; i++) {
      try {
        const ack: PubAck = await this.js.publish(subject, data, { msgID: opts.msgId, headers: h, timeout: opts.timeoutMs ?? 5000 });
        return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
      } catch (e) {
        last = e;
        const code = String((e as { code?: unknown }).code ?? '');
        // 503: no stream listens on the subject; retrying will not help.
        if (code === '503') break;
        await new Promise((r) => setTimeout(r, 200 * (i + 1)));
      }
    }
    throw new DatarusError(ErrorCode.TransportFailed, `publish on ${subject} failed: ${(last as Error)?.message ?? last}`, { cause: last });
  }
}
