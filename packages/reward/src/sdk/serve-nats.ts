// Serves a reward worker over NATS request/reply in its queue group, so several
// copies (in any language) share the load. A request that does not decode gets a
// no-score reply with E_BAD_MESSAGE; nothing a request carries can stop the loop.
import { connect, headers, type Msg, type NatsConnection } from 'nats';
import { ErrorCode, type ScoreResponse } from '@datarus/contracts';
import { ENCODING_HEADER, rewardQueueGroup, rewardWorkerSubject, type WireEncoding } from '../subjects.js';
import { noScoreResponse, runRewardWorker, type RewardWorker } from './reward-worker.js';
import { decodeBody, encodeBody } from './wire.js';

export interface NatsServing {
  subject: string;
  /** Requests answered so far. */
  readonly handled: number;
  /**
   * Stops taking requests, waits up to `graceMs` (default 2000) for the ones in
   * flight (a scorer that never settles is abandoned), and closes an owned connection.
   */
  close(graceMs?: number): Promise<void>;
}

export async function serveNats(worker: RewardWorker, target: string | NatsConnection): Promise<NatsServing> {
  const owned = typeof target === 'string';
  const nc = typeof target === 'string' ? await connect({ servers: target, name: `reward-worker-${worker.name}` }) : target;
  const subject = rewardWorkerSubject(worker.name);
  let handled = 0;
  const inflight = new Set<Promise<void>>();

  const handle = async (msg: Msg) => {
    const encoding: WireEncoding = msg.headers?.get(ENCODING_HEADER) === 'json' ? 'json' : 'protobuf';
    let response: ScoreResponse;
    try {
      response = await runRewardWorker(worker, decodeBody('datarus.v1.ScoreRequest', msg.data, encoding));
    } catch (e) {
      response = noScoreResponse(worker.name, ErrorCode.BadMessage, (e as Error).message);
    }
    const h = headers();
    h.set(ENCODING_HEADER, encoding);
    if (msg.reply) msg.respond(encodeBody('datarus.v1.ScoreResponse', response, encoding), { headers: h });
    handled++;
  };

  const sub = nc.subscribe(subject, {
    queue: rewardQueueGroup(worker.name),
    callback: (err, msg) => {
      if (err) return;
      const p = handle(msg).catch(() => {});
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    },
  });
  await nc.flush();
  return {
    subject,
    get handled() {
      return handled;
    },
    async close(graceMs = 2000) {
      if (!sub.isClosed()) await sub.drain();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(inflight), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
      if (owned && !nc.isClosed()) await nc.close();
    },
  };
}
