// A whole training run as separate processes on loopback, as a cluster would run
// it: a real nats-server, the learner, rollout workers, the reward service and
// reward workers, each its own Node process started from the built bin scripts,
// on a tiny model. Tests kill, restart and disturb the parts and check the run.
// Start it inside a test: its directory (model, run dir) is removed when that test
// has finished, after the afterEach that stops the processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../packages/learner/src/embedded/local-nats.js';
import { startNatsServer, type NatsServerHandle } from './nats-server.js';
import { testTempDir } from './temp-dir.js';
import { makeTinyModel } from './tiny-model.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = {
  learner: join(ROOT, 'packages/learner/bin/learner.js'),
  rollout: join(ROOT, 'packages/rollout/bin/rollout-worker.js'),
  rewardService: join(ROOT, 'packages/reward/bin/reward-service.js'),
  rewardWorker: join(ROOT, 'packages/reward/bin/reward-worker.js'),
};

/** Fails early with a clear message when the processes were not built. */
export function assertBuilt(): void {
  for (const [name, bin] of Object.entries(BIN)) {
    const dist = join(bin, '../../dist');
    if (!existsSync(dist)) throw new Error(`${name} is not built (no ${dist}); run: npx nx run-many -t build`);
  }
}

export class Proc {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  private waiters: { re: RegExp; resolve: (line: string) => void }[] = [];

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        this.lines.push(line);
        if (process.env.DATARUS_TEST_VERBOSE) process.stderr.write(`[${name}] ${line}\n`);
        this.waiters = this.waiters.filter((w) => (w.re.test(line) ? (w.resolve(line), false) : true));
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** The first line (past or future) matching `re`. */
  waitFor(re: RegExp, timeoutMs = 60_000): Promise<string> {
    const seen = this.lines.find((l) => re.test(l));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no line matching ${re} within ${timeoutMs} ms; last lines:\n${this.lines.slice(-15).join('\n')}`)), timeoutMs);
      this.waiters.push({ re, resolve: (l) => (clearTimeout(timer), resolve(l)) });
    });
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

export interface ClusterOptions {
  steps: number;
  rolloutWorkers?: number;
  rewardWorkers?: number;
  /** Data-parallel learner ranks (c10d over Gloo on this machine). */
  learnerRanks?: number;
  /** Extra config fields (deep-merged by the processes' own flag parser: pass as a config object). */
  config?: Record<string, unknown>;
}

export class Cluster {
  readonly procs: Proc[] = [];
  private constructor(
    readonly nats: NatsServerHandle,
    readonly dir: string,
    readonly configFile: string,
    readonly runDir: string,
  ) {}

  static async start(o: ClusterOptions): Promise<Cluster> {
    assertBuilt();
    const dir = testTempDir('cluster');
    const nats = await startNatsServer();
    const model = await makeTinyModel(join(dir, 'model'));
    const policyPort = await freePort();
    const runDir = join(dir, 'run');
    const config: Record<string, unknown> = {
      runId: 'it',
      runDir,
      model,
      steps: o.steps,
      nats: { url: nats.url },
      sft: { steps: 0 },
      eval: { tasks: 0 },
      grpo: { groupSize: 4, promptsPerStep: 2, maxCompletionLength: 32, lr: 1e-3, checkpointEvery: 2, microBatchSize: 4 },
      learner: { policyBind: `127.0.0.1:${policyPort}` },
      rollout: { policy: { address: `127.0.0.1:${policyPort}` } },
      reward: {
        workers: [
          { name: 'structural', role: 'structure', timeoutMs: 2000, retries: 2 },
          { name: 'hrm', role: 'semantic', timeoutMs: 2000, retries: 2 },
        ],
      },
      // short ack waits, so that work held by a killed process comes back quickly
      consumer: { ackWaitMs: 2000, nakDelayMs: 200 },
      ...o.config,
    };
    const ranks = o.learnerRanks ?? 1;
    if (ranks > 1) {
      const grpo = config.grpo as Record<string, unknown>;
      config.grpo = { ...grpo, distributed: { rendezvous: `127.0.0.1:${await freePort()}`, rank: 0, worldSize: ranks, backend: 'gloo' } };
    }
    const configFile = join(dir, 'run.json');
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    const c = new Cluster(nats, dir, configFile, runDir);
    for (let i = 0; i < (o.rewardWorkers ?? 2); i++) c.spawn(`reward-worker-${i}`, BIN.rewardWorker, ['--workers', 'structural,hrm,verifier']);
    c.spawn('reward-service', BIN.rewardService, []);
    for (let i = 0; i < (o.rolloutWorkers ?? 2); i++) c.spawn(`rollout-${i}`, BIN.rollout, [], { DATARUS_WORKER_ID: `rollout-${i}` });
    c.startLearner();
    for (let r = 1; r < ranks; r++) c.spawn(`learner-${r}`, BIN.learner, ['--grpo.distributed.rank', String(r)]);
    return c;
  }

  spawn(name: string, script: string, args: string[], env: Record<string, string> = {}): Proc {
    const child = spawn(process.execPath, [script, ...(script === BIN.learner ? ['train'] : []), '--config', this.configFile, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, DATARUS_THREADS: '1', ...env },
    });
    const p = new Proc(name, child);
    this.procs.push(p);
    return p;
  }

  startLearner(): Proc {
    return this.spawn('learner', BIN.learner, []);
  }

  proc(name: string): Proc {
    const found = [...this.procs].reverse().find((p) => p.name === name);
    if (!found) throw new Error(`no process ${name}`);
    return found;
  }

  /** Stops every process (SIGTERM, then SIGKILL) and the server. */
  async stop(): Promise<void> {
    for (const p of this.procs) p.kill('SIGTERM');
    const timer = setTimeout(() => this.procs.forEach((p) => p.kill('SIGKILL')), 10_000);
    await Promise.all(this.procs.map((p) => p.exited));
    clearTimeout(timer);
    await this.nats.stop();
  }
}
