// The JetStream adapters against a real nats-server: streams, typed round trips,
// de-duplication, dead letters, redelivery with the duplicate filter, retries and
// backpressure.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AckPolicy, type JetStreamManager, type NatsConnection } from 'nats';
import { dlqSubject, Header, normalizeMessage, StreamMessage, streamSubject, type WorkStreamName } from '@datarus/contracts';
import { startNatsServer, type NatsServerHandle } from '../../../../test/support/nats-server.js';
import { eventually, rolloutGroup, rolloutRequest, scoredGroup, until } from '../testing/messages.fixture.js';
import { connectNats } from '../nats-connection.js';
import { ProcessedIds } from '../processed-ids.js';
import { ensureStreams } from './ensure-streams.js';
import { JetStreamPublisher, type StreamMessageType } from './publisher.js';
import { startDurableConsumer, type ConsumerEvent, type DurableConsumer } from './durable-consumer.js';

let server: NatsServerHandle;
let nc: NatsConnection;
let jsm: JetStreamManager;
let publisher: JetStreamPublisher;
const consumers: DurableConsumer[] = [];

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats({ url: server.url, reconnectWaitMs: 100 });
  jsm = await nc.jetstreamManager();
  publisher = new JetStreamPublisher(nc.jetstream());
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

beforeEach(async () => {
  for (const c of consumers.splice(0)) await c.stop();
  for (const s of ['TASKS', 'ROLLOUTS', 'SCORED', 'DLQ']) await jsm.streams.delete(s).catch(() => {});
  await ensureStreams(jsm, {});
});

const samples: { [S in WorkStreamName]: (id: string) => StreamMessageType<S> } = {
  TASKS: rolloutRequest,
  ROLLOUTS: rolloutGroup,
  SCORED: scoredGroup,
};

/** Dead letters currently in the DLQ stream for `stream`. */
async function deadLetters(stream: WorkStreamName) {
  const out: { data: Uint8Array; headers: Record<string, string> }[] = [];
  const info = await jsm.streams.info('DLQ');
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage('DLQ', { seq }).catch(() => null);
    if (!m || m.subject !== dlqSubject(stream)) continue;
    const headers: Record<string, string> = {};
    for (const k of m.header.keys()) headers[k] = m.header.get(k);
    out.push({ data: m.data, headers });
  }
  return out;
}

describe('JetStream transport', () => {
  it('creates the streams with their retention and is idempotent', async () => {
    const infos = await ensureStreams(jsm, {});
    expect(infos.TASKS.config.retention).toBe('workqueue');
    expect(infos.ROLLOUTS.config.retention).toBe('workqueue');
    expect(infos.SCORED.config.retention).toBe('limits');
    expect(infos.DLQ.config.subjects).toEqual(['datarus.v1.dlq.>']);
    expect(infos.TASKS.config.storage).toBe('file');
    await ensureStreams(jsm, { SCORED: { retention: 'limits', maxAgeMs: 3_600_000 } });
    expect((await jsm.streams.info('SCORED')).config.max_age).toBe(3_600_000 * 1e6);
    await expect(ensureStreams(jsm, { SCORED: { retention: 'workqueue', maxAgeMs: 1000 } })).rejects.toMatchObject({ code: 'E_TRANSPORT_FAILED' });
    await expect(ensureStreams(jsm, { TASKS: { retention: 'fifo', maxAgeMs: 1 } })).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT', message: expect.stringContaining('streams.TASKS.retention') });
  });

  it.each(['TASKS', 'ROLLOUTS', 'SCORED'] as const)('round-trips a %s message through a durable consumer with explicit acks', async (stream) => {
    const got: StreamMessageType<typeof stream>[] = [];
    const c = await startDurableConsumer(nc, { stream, durable: 'rt', handler: (m) => void got.push(m) });
    consumers.push(c);
    const sent = samples[stream](`g-${stream}`);
    const pub = await publisher.publish(stream, sent);
    expect(pub).toMatchObject({ stream, duplicate: false });
    await until(() => c.stats.handled === 1, 10_000, 'one message handled');
    expect(got[0]).toEqual(normalizeMessage(StreamMessage[stream], sent as never));
    const info = await jsm.consumers.info(stream, 'rt');
    expect(info.config.ack_policy).toBe(AckPolicy.Explicit);
    await eventually(async () => (await jsm.consumers.info(stream, 'rt')).num_ack_pending === 0, 5000, 'ack to land');
  });

  it('stores a group published twice with one msg id once', async () => {
    const g = rolloutGroup('g-dup');
    const a = await publisher.publish('ROLLOUTS', g);
    const b = await publisher.publish('ROLLOUTS', g);
    expect(a.duplicate).toBe(false);
    expect(b).toMatchObject({ duplicate: true, seq: a.seq });
    expect((await jsm.streams.info('ROLLOUTS')).state.messages).toBe(1);
  });

  it.each(['TASKS', 'ROLLOUTS', 'SCORED'] as const)('dead-letters garbage on %s with the reason and keeps serving', async (stream) => {
    const events: ConsumerEvent[] = [];
    const handled: string[] = [];
    const c = await startDurableConsumer(nc, {
      stream,
      durable: 'dlq-test',
      handler: (_m, d) => void handled.push(d.groupId),
      onEvent: (e) => events.push(e),
    });
    consumers.push(c);
    const garbage = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]);
    await publisher.publishBytes(streamSubject(stream), garbage, { msgId: `garbage-${stream}` });
    // decodes, but out of contract: a group with ragged per-token arrays / no group id
    const ragged = rolloutGroup('g-ragged');
    ragged.samples[0].lossMask.pop();
    if (stream === 'ROLLOUTS') await publisher.publish(stream, ragged);
    if (stream === 'SCORED') await publisher.publish(stream, { ...scoredGroup('g-ragged'), group: ragged });
    if (stream === 'TASKS') await publisher.publish(stream, { ...rolloutRequest(''), task: undefined }, { msgId: 'no-group-id' });
    await publisher.publish(stream, samples[stream](`g-after-${stream}`));
    await until(() => c.stats.handled === 1 && c.stats.deadLettered === 2, 10_000, 'one handled, two dead letters');
    expect(handled).toEqual([`g-after-${stream}`]);

    const dead = await deadLetters(stream);
    expect(dead).toHaveLength(2);
    expect(Array.from(dead[0].data)).toEqual(Array.from(garbage));
    expect(dead[0].headers[Header.DlqCode]).toBe('E_BAD_MESSAGE');
    expect(dead[0].headers[Header.DlqReason]).toMatch(/cannot decode/);
    expect(dead[0].headers[Header.DlqSubject]).toBe(streamSubject(stream));
    expect(dead[0].headers[Header.DlqConsumer]).toBe('dlq-test');
    expect(dead[1].headers[Header.DlqReason]).toMatch(stream === 'TASKS' ? /groupId is empty/ : /samples\[0\]: 3 tokens but 3 log-probs and 2 mask entries/);
    expect(events.filter((e) => e.type === 'dead-lettered')).toHaveLength(2);
    // terminated: nothing left pending or waiting on the work stream's consumer
    await eventually(async () => {
      const info = await jsm.consumers.info(stream, 'dlq-test');
      return info.num_ack_pending + info.num_pending === 0;
    }, 5000, 'dead letters terminated');
  });

  it('trains once on a group redelivered after its consumer died without acking', async () => {
    const processed = new ProcessedIds(1000); // the learner's filter, kept across its reconnects
    const trained: string[] = [];
    const settings = { ackWaitMs: 1000, extendAckWait: false };

    // Consumer A does the work, then its connection dies before the ack goes out.
    const ncA = await connectNats({ url: server.url });
    const a = await startDurableConsumer(ncA, {
      stream: 'SCORED',
      durable: 'learner',
      settings,
      processed,
      handler: async (_m, d) => {
        trained.push(d.groupId);
        await ncA.close();
      },
    });
    await publisher.publish('SCORED', scoredGroup('g-once'));
    await until(() => trained.length === 1, 10_000, 'first delivery');
    await a.stop();

    // Consumer B (same durable) gets the redelivery after the ack wait.
    const events: ConsumerEvent[] = [];
    const b = await startDurableConsumer(nc, { stream: 'SCORED', durable: 'learner', settings, processed, handler: (_m, d) => void trained.push(d.groupId), onEvent: (e) => events.push(e) });
    consumers.push(b);
    await until(() => b.stats.duplicates === 1, 10_000, 'redelivery seen as duplicate');
    expect(trained).toEqual(['g-once']);
    expect(events).toContainEqual(expect.objectContaining({ type: 'duplicate', groupId: 'g-once' }));

    // The same group published again under another msg id (a retried rollout) is filtered too.
    await publisher.publish('SCORED', scoredGroup('g-once'), { msgId: 'g-once:retry' });
    await until(() => b.stats.duplicates === 2, 10_000, 'second copy filtered');
    expect(trained).toEqual(['g-once']);
    await eventually(async () => (await jsm.consumers.info('SCORED', 'learner')).num_ack_pending === 0, 5000, 'acks to land');
  });

  it('retries a failing handler and dead-letters it after max deliveries', async () => {
    let attempts = 0;
    const c = await startDurableConsumer(nc, {
      stream: 'ROLLOUTS',
      durable: 'flaky',
      settings: { maxDeliver: 3, nakDelayMs: 50 },
      handler: () => {
        attempts++;
        throw new Error('reward workers down');
      },
    });
    consumers.push(c);
    await publisher.publish('ROLLOUTS', rolloutGroup('g-flaky'));
    await until(() => c.stats.deadLettered === 1, 10_000, 'dead letter after 3 attempts');
    expect(attempts).toBe(3);
    const [dead] = await deadLetters('ROLLOUTS');
    expect(dead.headers[Header.DlqCode]).toBe('E_MAX_DELIVERIES');
    expect(dead.headers[Header.DlqDeliveries]).toBe('3');
    expect(dead.headers[Header.DlqReason]).toMatch(/reward workers down/);
  });

  it('dead-letters a message whose consumers keep dying on it', async () => {
    const settings = { maxDeliver: 1, ackWaitMs: 800, extendAckWait: false };
    const ncA = await connectNats({ url: server.url });
    const a = await startDurableConsumer(ncA, { stream: 'ROLLOUTS', durable: 'crashy', settings, handler: () => ncA.close() });
    await publisher.publish('ROLLOUTS', rolloutGroup('g-poison'));
    await until(() => a.stats.delivered === 1, 10_000, 'first delivery');
    await a.stop();
    let ran = 0;
    const b = await startDurableConsumer(nc, { stream: 'ROLLOUTS', durable: 'crashy', settings, handler: () => void ran++ });
    consumers.push(b);
    await until(() => b.stats.deadLettered === 1, 10_000, 'dead letter on the extra delivery');
    expect(ran).toBe(0);
    const [dead] = await deadLetters('ROLLOUTS');
    expect(dead.headers[Header.DlqCode]).toBe('E_MAX_DELIVERIES');
    expect(dead.headers[Header.DlqDeliveries]).toBe('2');
  });

  it('bounds the handlers in flight', async () => {
    let running = 0;
    let peak = 0;
    const c = await startDurableConsumer(nc, {
      stream: 'TASKS',
      durable: 'bounded',
      settings: { concurrency: 3 },
      handler: async () => {
        peak = Math.max(peak, ++running);
        await new Promise((r) => setTimeout(r, 30));
        running--;
      },
    });
    consumers.push(c);
    await Promise.all(Array.from({ length: 20 }, (_, i) => publisher.publish('TASKS', rolloutRequest(`g-${i}`))));
    await until(() => c.stats.handled === 20, 10_000, '20 handled');
    console.log(`bounded consumer: peak in flight ${peak} (limit 3) over 20 messages`);
    expect(peak).toBe(3);
    await eventually(async () => (await jsm.streams.info('TASKS')).state.messages === 0, 5000, 'work queue to drain'); // acked messages leave
  });
});
