// Opens a NATS connection from NatsConfig: user/password or token auth, TLS from
// PEM files, reconnecting forever by default so a worker outlives a server
// restart (JetStream consumers resume where they were).
import { readFileSync } from 'node:fs';
import { connect, type ConnectionOptions, type NatsConnection } from 'nats';
import { DatarusError, ErrorCode } from '@datarus/contracts';
import { NatsConfig, parseConfig } from './transport-config.js';

function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new DatarusError(ErrorCode.FileNotFound, `nats.tls.${what}: cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** The nats.js options for `config` (exposed for tests and for callers that connect themselves). */
export function natsConnectionOptions(config: NatsConfig | Record<string, unknown>): ConnectionOptions {
  const c = parseConfig(NatsConfig, config, 'nats');
  const opts: ConnectionOptions = {
    servers: c.url,
    name: c.name,
    reconnect: true,
    reconnectTimeWait: c.reconnectWaitMs,
    maxReconnectAttempts: c.maxReconnectAttempts,
    timeout: c.connectTimeoutMs,
    waitOnFirstConnect: false,
  };
  if (c.user !== undefined) {
    opts.user = c.user;
    opts.pass = c.password;
  }
  if (c.token !== undefined) opts.token = c.token;
  if (c.tls) {
    opts.tls = {
      ...(c.tls.caFile ? { ca: readPem(c.tls.caFile, 'caFile') } : {}),
      ...(c.tls.certFile ? { cert: readPem(c.tls.certFile, 'certFile') } : {}),
      ...(c.tls.keyFile ? { key: readPem(c.tls.keyFile, 'keyFile') } : {}),
    };
  }
  return opts;
}

/** Connects; a refused or unauthorised first connection is E_TRANSPORT_FAILED. */
export async function connectNats(config: NatsConfig | Record<string, unknown> = {}): Promise<NatsConnection> {
  const opts = natsConnectionOptions(config);
  try {
    return await connect(opts);
  } catch (e) {
    throw new DatarusError(ErrorCode.TransportFailed, `cannot connect to NATS at ${String(opts.servers)}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Drains the connection (its subscriptions finish what they hold), or closes it
 * when draining does not end within `timeoutMs` — as when the server is gone and
 * drain would wait for a reconnect. Never throws.
 */
export async function closeNats(nc: NatsConnection, timeoutMs = 5000): Promise<void> {
  const timeout = new Promise<void>((r) => setTimeout(r, timeoutMs).unref());
  await Promise.race([nc.drain().catch(() => {}), timeout]);
  if (!nc.isClosed()) await nc.close().catch(() => {});
}
