// Starts a real nats-server (JetStream on, file storage in a temp dir) on a free
// loopback port for a test, and stops it after; `restart()` stops it and starts
// it again on the same port and store, as a crash-and-recover would. Never a mock:
// it is the server the learner's embedded default runs (learner/src/embedded).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLocalNats } from '../../packages/learner/src/embedded/local-nats.js';
import { makeTempDir, removeTempDir } from './temp-dir.js';

export { natsServerBinary } from '../../packages/learner/src/embedded/local-nats.js';

export interface NatsServerHandle {
  url: string;
  port: number;
  /** Stops the server (SIGTERM, or SIGKILL when `hard`) and starts it again with the same port and store. */
  restart(opts?: { hard?: boolean; downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

export interface NatsServerOptions {
  /** Extra lines of server configuration (e.g. an authorization block). */
  config?: string;
}

export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const dir = makeTempDir('nats');
  const configFile = join(dir, 'server.conf');
  writeFileSync(configFile, `${opts.config ?? ''}\n`);
  const server = await startLocalNats(dir, { configFile }).catch((e: unknown) => {
    removeTempDir(dir);
    throw e;
  });
  return {
    url: server.url,
    port: server.port,
    restart: ({ hard = false, downMs = 300 } = {}) => server.restart({ hard, downMs }),
    async stop() {
      try {
        await server.stop();
      } finally {
        removeTempDir(dir);
      }
    },
  };
}
