// The embedded default's other processes: rollout workers, the reward service and
// built-in reward workers, spawned as children of the learner with the run's
// config file. Each child's output goes to <runDir>/logs/<name>.log. A child that
// dies while the run goes on is restarted (up to maxRestarts times, then the run
// fails with E_PROCESS_FAILED); stopAll() sends SIGTERM and, after a grace period,
// SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';

export interface ChildSpec {
  name: string;
  /** Script run with this Node binary. */
  script: string;
  args: string[];
  env?: Record<string, string>;
}

interface Running {
  spec: ChildSpec;
  proc: ChildProcess;
  restarts: number;
  exited: Promise<void>;
}

export class Children {
  private readonly running = new Map<string, Running>();
  private stopping = false;

  constructor(
    private readonly logDir: string,
    private readonly onFailure: (message: string) => void,
    private readonly log: (message: string) => void,
    private readonly maxRestarts = 3,
  ) {
    mkdirSync(logDir, { recursive: true });
  }

  start(spec: ChildSpec, restarts = 0): void {
    const fd = openSync(join(this.logDir, `${spec.name}.log`), 'a');
    const proc = spawn(process.execPath, [spec.script, ...spec.args], {
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...spec.env },
    });
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    const entry: Running = { spec, proc, restarts, exited };
    this.running.set(spec.name, entry);
    proc.once('exit', (code, signal) => {
      if (this.stopping || this.running.get(spec.name) !== entry) return;
      const why = `${spec.name} exited (${signal ?? `code ${code}`}); see ${join(this.logDir, `${spec.name}.log`)}`;
      if (entry.restarts >= this.maxRestarts) {
        this.onFailure(`${why}; gave up after ${entry.restarts} restarts`);
        return;
      }
      this.log(`${why}; restarting`);
      this.start(spec, entry.restarts + 1);
    });
  }

  /** The pid of a running child (tests and the loop benchmark use it). */
  pid(name: string): number | undefined {
    return this.running.get(name)?.proc.pid;
  }

  /** From now on an exiting child is expected (Ctrl-C reaches the whole process group). */
  beginStop(): void {
    this.stopping = true;
  }

  async stopAll(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    const all = [...this.running.values()];
    for (const r of all) if (r.proc.exitCode === null) r.proc.kill('SIGTERM');
    const timer = setTimeout(() => {
      for (const r of all) if (r.proc.exitCode === null && r.proc.signalCode === null) r.proc.kill('SIGKILL');
    }, graceMs);
    await Promise.all(all.map((r) => r.exited));
    clearTimeout(timer);
    this.running.clear();
  }
}
