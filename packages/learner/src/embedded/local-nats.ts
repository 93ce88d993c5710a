// The embedded default's NATS: a nats-server child with JetStream, its store under
// the run directory, listening on loopback only, on a free port (or a given one).
// Also used by the cross-process tests, which need the same real server.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { delimiter, join } from 'node:path';
import { DatarusError, ErrorCode } from '@datarus/contracts';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export function canConnect(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const c = tcpConnect(port, host);
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

export interface LocalNats {
  url: string;
  port: number;
  /** Stops (SIGTERM, or SIGKILL when hard) and starts again on the same port and store. */
  restart(opts?: { hard?: boolean; downMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

/** Starts nats-server with `-js -sd <dir>/js` on 127.0.0.1; its log goes to <dir>/nats-server.log. */
export async function startLocalNats(dir: string, opts: { port?: number; configFile?: string } = {}): Promise<LocalNats> {
  mkdirSync(dir, { recursive: true });
  const port = opts.port || (await freePort());
  let proc: ChildProcess;
  let exited: Promise<void>;
  const launch = async () => {
    const logFd = openSync(join(dir, 'nats-server.log'), 'a');
    const args = [...(opts.configFile ? ['-c', opts.configFile] : []), '-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(dir, 'js')];
    proc = spawn(natsServerBinary(), args, { stdio: ['ignore', logFd, logFd] });
    let spawnError: Error | undefined;
    proc.once('error', (e) => (spawnError = e));
    exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    for (let i = 0; i < 200; i++) {
      if (spawnError || proc.exitCode !== null) {
        throw new DatarusError(
          ErrorCode.ProcessFailed,
          `nats-server did not start (${spawnError?.message ?? `exit ${proc.exitCode}`}); is it installed? (apt-get install nats-server) — see ${join(dir, 'nats-server.log')}`,
        );
      }
      if (await canConnect(port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new DatarusError(ErrorCode.ProcessFailed, `nats-server did not listen on port ${port} within 10 s; see ${join(dir, 'nats-server.log')}`);
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
    async restart(o = {}) {
      await halt(o.hard);
      if (o.downMs) await new Promise((r) => setTimeout(r, o.downMs));
      await launch();
    },
    stop: () => halt(),
  };
}
