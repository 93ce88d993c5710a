// Dead letters: a message a consumer cannot use (undecodable, out of contract,
// or failed max-deliver times) is copied, bytes untouched, to
// datarus.v1.dlq.<stream> with headers naming the reason, its code, the original
// subject, stream sequence, delivery count and consumer; then the original is
// terminated so it is not redelivered. The DLQ stream keeps it for a person.
import { headers as natsHeaders, type JetStreamClient, type JsMsg } from 'nats';
import { dlqSubject, Header, type ErrorCode, type WorkStreamName } from '@datarus/contracts';

export interface DeadLetter {
  stream: WorkStreamName;
  consumer: string;
  code: ErrorCode;
  reason: string;
}

/** Reason headers are cut to this many characters (headers are one line). */
const MAX_REASON = 1000;

/**
 * Publishes `msg` to the stream's dead-letter subject and terminates it. Returns
 * false (and naks the message for a later retry) when the DLQ publish fails, so a
 * message is never dropped unrecorded.
 */
export async function deadLetter(js: JetStreamClient, msg: JsMsg, d: DeadLetter, nakDelayMs = 1000): Promise<boolean> {
  const h = natsHeaders();
  h.set(Header.DlqReason, d.reason.replace(/[\r\n]+/g, ' ').slice(0, MAX_REASON));
  h.set(Header.DlqCode, d.code);
  h.set(Header.DlqSubject, msg.subject);
  h.set(Header.DlqStream, d.stream);
  h.set(Header.DlqSequence, String(msg.seq));
  h.set(Header.DlqDeliveries, String(msg.info.deliveryCount));
  h.set(Header.DlqConsumer, d.consumer);
  try {
    // The msg id makes a retried dead-lettering store one copy.
    await js.publish(dlqSubject(d.stream), msg.data, { headers: h, msgID: `dlq:${d.stream}:${msg.seq}`, timeout: 5000 });
  } catch {
    msg.nak(nakDelayMs);
    return false;
  }
  msg.term();
  return true;
}
