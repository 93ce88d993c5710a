// Starts a real nats-server (JetStream on, file storage in a temp dir) on a free
// loopback port for a test, and stops it after; `restart()` stops it and starts
// it again on the same port and store, as a crash-and-recover would. Never a mock.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

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

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = tcpConnect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/** NATS_SERVER, else nats-server on PATH, else Debian's /usr/sbin (not on a user's PATH). */
export function natsServerBinary(): string {
  if (process.env.NATS_SERVER) return process.env.NATS_SERVER;
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/bin'];
  for (const d of dirs) if (d && existsSync(join(d, 'nats-server'))) return join(d, 'nats-server');
  return 'nats-server';
}

export async function startNatsServer(opts: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'datarus-nats-'));
  const conf = join(dir, 'server.conf');
  writeFileSync(conf, `${opts.config ?? ''}\n`);
  let proc: ChildProcess;
  let exited: Promise<void>;

  const launch = async () => {
    proc = spawn(natsServerBinary(), ['-c', conf, '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(dir, 'js')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    proc.stderr?.on('data', (d) => (log += String(d)));
    exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    for (let i = 0; i < 200; i++) {
      if (proc.exitCode !== null) throw new Error(`nats-server exited: ${log}`);
      if (await canConnect(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`nats-server did not start: ${log}`);
  };
  const halt = async (hard = false) => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill(hard ? 'SIGKILL' : 'SIGTERM');
      await exited;
    }
  };

  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    async restart({ hard = false, downMs = 300 } = {}) {
      await halt(hard);
      await new Promise((r) => setTimeout(r, downMs));
      await launch();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
