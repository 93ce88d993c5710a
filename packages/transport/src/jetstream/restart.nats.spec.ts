// A JetStream consumer survives a nats-server crash: the server is killed
// (SIGKILL) and started again on the same port and store; the client reconnects,
// the durable consumer resumes, messages stored before the crash are still there
// and every group is handled exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NatsConnection } from 'nats';
import { startNatsServer, type NatsServerHandle } from '../../../../test/support/nats-server.js';
import { eventually, rolloutGroup, scoredGroup, until } from '../testing/messages.fixture.js';
import { connectNats } from '../nats-connection.js';
import { ensureStreams } from './ensure-streams.js';
import { JetStreamPublisher } from './publisher.js';
import { startDurableConsumer, type DurableConsumer } from './durable-consumer.js';

let server: NatsServerHandle;
let nc: NatsConnection;
let consumer: DurableConsumer | undefined;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await connectNats({ url: server.url, reconnectWaitMs: 100 });
});

afterAll(async () => {
  await consumer?.stop();
  await nc?.close();
  await server?.stop();
});

describe('nats-server restart', () => {
  it('is survived by a durable consumer that keeps consuming', async () => {
    await ensureStreams(await nc.jetstreamManager(), {});
    const publisher = new JetStreamPublisher(nc.jetstream());
    const handled: string[] = [];
    let releaseGate!: () => void;
    const gate = new Promise<void>((r) => (releaseGate = r));
    consumer = await startDurableConsumer(nc, {
      stream: 'ROLLOUTS',
      durable: 'reward-service',
      settings: { ackWaitMs: 2000 },
      handler: async (_m, d) => {
        if (d.groupId.startsWith('b-')) await gate; // in progress when the server dies
        handled.push(d.groupId);
      },
    });

    for (let i = 0; i < 5; i++) await publisher.publish('ROLLOUTS', rolloutGroup(`a-${i}`));
    await until(() => handled.length === 5, 10_000, 'first batch');
    for (let i = 0; i < 5; i++) await publisher.publish('ROLLOUTS', rolloutGroup(`b-${i}`));
    for (let i = 0; i < 3; i++) await publisher.publish('SCORED', scoredGroup(`s-${i}`)); // nobody consumes these

    const t0 = performance.now();
    await server.restart({ hard: true, downMs: 500 });
    releaseGate();
    for (let i = 0; i < 5; i++) await publisher.publish('ROLLOUTS', rolloutGroup(`c-${i}`));
    await until(() => new Set(handled).size === 15, 20_000, 'all 15 groups after the restart');
    console.log(`restart: all groups handled ${(performance.now() - t0).toFixed(0)} ms after the kill; stats ${JSON.stringify(consumer.stats)}`);

    expect(handled.filter((id) => id.startsWith('b-')).sort()).toEqual(['b-0', 'b-1', 'b-2', 'b-3', 'b-4']);
    expect(handled).toHaveLength(15); // each group once, redeliveries filtered
    const jsm = await nc.jetstreamManager();
    expect((await jsm.streams.info('SCORED')).state.messages).toBe(3);
    await eventually(async () => (await jsm.streams.info('ROLLOUTS')).state.messages === 0, 10_000, 'work queue to drain');
  });
});
