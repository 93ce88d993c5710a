// Connection options from config against real servers with token and
// user/password authorization, and mutual TLS.
import { describe, expect, it } from 'vitest';
import { startNatsServer } from '../../../test/support/nats-server.js';
import { testTempDir } from '../../../test/support/temp-dir.js';
import { makeTestCerts } from '../../../test/support/test-certs.js';
import { connectNats, natsConnectionOptions } from './nats-connection.js';

describe('connectNats', () => {
  it('authenticates with a token and refuses a wrong one', async () => {
    const server = await startNatsServer({ config: 'authorization { token: "s3cret" }' });
    try {
      const nc = await connectNats({ url: server.url, token: 's3cret' });
      await nc.flush();
      await nc.close();
      await expect(connectNats({ url: server.url, token: 'nope' })).rejects.toMatchObject({ code: 'E_TRANSPORT_FAILED' });
    } finally {
      await server.stop();
    }
  });

  it('authenticates with user and password', async () => {
    const server = await startNatsServer({ config: 'authorization { user: learner, password: "pw-1" }' });
    try {
      const nc = await connectNats({ url: server.url, user: 'learner', password: 'pw-1' });
      await nc.close();
      await expect(connectNats({ url: server.url, user: 'learner', password: 'wrong' })).rejects.toMatchObject({ code: 'E_TRANSPORT_FAILED' });
    } finally {
      await server.stop();
    }
  });

  it('speaks mutual TLS: a client with a CA-signed certificate gets in, one without it or without TLS does not', async () => {
    const c = makeTestCerts(testTempDir('nats-tls'));
    const server = await startNatsServer({
      config: `tls { cert_file: "${c.serverCert}", key_file: "${c.serverKey}", ca_file: "${c.ca}", verify: true, timeout: 2 }`,
    });
    try {
      const nc = await connectNats({ url: server.url, tls: { caFile: c.ca, certFile: c.clientCert, keyFile: c.clientKey } });
      const sub = nc.subscribe('tls.echo', { max: 1, callback: (_e, m) => m.respond(m.data) });
      const reply = await nc.request('tls.echo', new TextEncoder().encode('over tls'), { timeout: 2000 });
      expect(new TextDecoder().decode(reply.data)).toBe('over tls');
      sub.unsubscribe();
      await nc.close();
      const refused = { code: 'E_TRANSPORT_FAILED' };
      await expect(connectNats({ url: server.url, connectTimeoutMs: 3000, tls: { caFile: c.ca } })).rejects.toMatchObject(refused);
      await expect(connectNats({ url: server.url, connectTimeoutMs: 3000 })).rejects.toMatchObject(refused);
    } finally {
      await server.stop();
    }
  });

  it('validates the config, naming the bad field', () => {
    expect(natsConnectionOptions({})).toMatchObject({ servers: 'nats://127.0.0.1:4222', maxReconnectAttempts: -1 });
    expect(() => natsConnectionOptions({ user: 'a' })).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT', message: expect.stringContaining('nats.password') }));
    expect(() => natsConnectionOptions({ reconnectWaitMs: -5 })).toThrow(expect.objectContaining({ message: expect.stringContaining('nats.reconnectWaitMs') }));
    expect(() => natsConnectionOptions({ tls: { caFile: '/nonexistent/ca.pem' } })).toThrow(expect.objectContaining({ code: 'E_FILE_NOT_FOUND' }));
  });
});
