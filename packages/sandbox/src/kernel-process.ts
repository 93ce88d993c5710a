// One kernel process: bwrap running python/kernel.py. Sends length-prefixed JSON
// requests on its stdin and reads its output pipe until the request's end marker
// (cell-output.ts), with a wall-clock limit. Knows nothing of cells' meaning:
// PythonSandbox turns outcomes into CellResults and restarts dead kernels.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { DatarusError, ErrorCode } from '@datarus/contracts';
import { bwrapArgs, type HostEntry } from './bwrap-args.js';
import { CellOutput, type KernelStatus } from './cell-output.js';
import type { DataFile, ResolvedSandboxOptions } from './sandbox-options.js';

/** Output bytes read per request before the host stops reading (the cell then blocks until its timeout). */
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;
/** bwrap's own diagnostics kept for error messages. */
const MAX_STDERR_CHARS = 4096;

export type Outcome =
  | { kind: 'done'; output: CellOutput; status: KernelStatus }
  | { kind: 'timeout'; output: CellOutput }
  /** The kernel exited during the request; `code` is bwrap's exit status (128 + signal when the kernel was killed). */
  | { kind: 'died'; output: CellOutput; code: number | null; signal: NodeJS.Signals | null; detail: string }
  | { kind: 'corrupt'; output: CellOutput; detail: string };

interface Pending {
  output: CellOutput;
  finish: (o: Outcome) => void;
}

function hostEntry(path: string): HostEntry {
  try {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return { kind: 'symlink', target: readlinkSync(path) };
    return st.isDirectory() ? { kind: 'dir' } : { kind: 'absent' };
  } catch {
    return { kind: 'absent' };
  }
}

/** Direct children of `pid` (Linux /proc), empty when unknown. */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

export class KernelProcess {
  private pending: Pending | undefined;
  private exit: { code: number | null; signal: NodeJS.Signals | null; detail: string } | undefined;
  private readonly closed: Promise<void>;
  private stderr = '';

  private constructor(
    private readonly child: ChildProcess,
    private readonly keepBytes: number,
  ) {
    child.stdin!.on('error', () => {}); // EPIPE once the kernel is gone; 'close' reports it
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => {
      if (this.stderr.length < MAX_STDERR_CHARS) this.stderr += s.slice(0, MAX_STDERR_CHARS - this.stderr.length);
    });
    child.stdout!.on('data', (chunk: Buffer) => this.onData(chunk));
    this.closed = new Promise((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null, detail: string) => {
        if (this.exit) return;
        this.exit = { code, signal, detail };
        const p = this.pending;
        this.pending = undefined;
        p?.finish({ kind: 'died', output: p.output, code, signal, detail });
        resolve();
      };
      child.on('close', (code, signal) => done(code, signal, this.stderr.trim()));
      child.on('error', (e: NodeJS.ErrnoException) => done(null, null, e.code === 'ENOENT' ? `${e.message} (is bubblewrap installed?)` : e.message));
    });
  }

  /** Starts bwrap + kernel and writes the files; rejects with E_SANDBOX_FAILED. */
  static async start(o: ResolvedSandboxOptions, kernelSource: string, files: DataFile[]): Promise<KernelProcess> {
    if (!existsSync(o.pythonPath)) {
      throw new DatarusError(ErrorCode.SandboxFailed, `no Python at ${o.pythonPath} (install python3, python3-pandas, python3-numpy)`);
    }
    const config = JSON.stringify({
      memoryMb: o.memoryMb,
      maxProcesses: o.maxProcesses,
      cpuSeconds: o.cpuSeconds,
      maxOpenFiles: o.maxOpenFiles,
      diskMb: o.diskMb,
      maxOutputChars: o.maxOutputChars,
      preload: o.preload,
    });
    const asRoot = process.getuid?.() === 0;
    let child: ChildProcess;
    try {
      child = spawn(o.bwrapPath, bwrapArgs(o, hostEntry, kernelSource, config), {
        stdio: ['pipe', 'pipe', 'pipe'],
        cwd: '/',
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
        ...(asRoot ? { uid: o.hostUid, gid: o.hostGid } : {}),
      });
    } catch (e) {
      throw new DatarusError(ErrorCode.SandboxFailed, `could not run ${o.bwrapPath}: ${(e as Error).message}`, { cause: e });
    }
    const k = new KernelProcess(child, o.maxOutputChars * 4 + 4);
    const r = await k.request({ op: 'setup', files }, o.startTimeoutMs);
    if (r.kind === 'done' && r.status.ok) return k;
    await k.kill();
    const why =
      r.kind === 'died'
        ? `${r.detail || `bwrap exited with code ${r.code}`}${r.output.text() ? `\n${r.output.text().slice(0, 2000)}` : ''}`
        : r.kind === 'timeout'
          ? `no answer within ${o.startTimeoutMs} ms`
          : r.kind === 'corrupt'
            ? r.detail
            : (r.status.error ?? 'setup failed');
    throw new DatarusError(
      ErrorCode.SandboxFailed,
      `could not start the Python sandbox with ${o.bwrapPath}: ${why}. ` +
        'bubblewrap needs user namespaces (sysctl user.max_user_namespaces > 0; in a container, a seccomp profile that allows clone(CLONE_NEWUSER)).',
    );
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  /** How the process ended (undefined while alive). */
  get exitInfo(): { code: number | null; signal: NodeJS.Signals | null; detail: string } | undefined {
    return this.exit;
  }

  /** Sends one request and waits for its end marker, the process's end, or `timeoutMs`. */
  request(message: { op: 'setup'; files: DataFile[] } | { op: 'run'; code: string }, timeoutMs: number): Promise<Outcome> {
    if (this.pending) throw new DatarusError(ErrorCode.Internal, 'a kernel request is already in flight');
    const nonce = randomBytes(16).toString('hex');
    const output = new CellOutput(nonce, this.keepBytes);
    if (this.exit) return Promise.resolve({ kind: 'died', output, ...this.exit });
    return new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => {
        if (this.pending?.output !== output) return;
        this.pending = undefined;
        void this.kill().then(() => resolve({ kind: 'timeout', output }));
      }, timeoutMs);
      this.pending = {
        output,
        finish: (o) => {
          clearTimeout(timer);
          resolve(o);
        },
      };
      this.child.stdout!.resume();
      const body = Buffer.from(JSON.stringify({ ...message, nonce }), 'utf8');
      const head = Buffer.alloc(4);
      head.writeUInt32BE(body.length);
      this.child.stdin!.write(Buffer.concat([head, body]));
    });
  }

  private onData(chunk: Buffer): void {
    const p = this.pending;
    if (!p) return; // printed between requests (a thread the cell left running): dropped
    let complete: boolean;
    try {
      complete = p.output.feed(chunk);
    } catch (e) {
      this.pending = undefined;
      const detail = `the kernel's output stream is corrupt (${(e as Error).message})`;
      void this.kill().then(() => p.finish({ kind: 'corrupt', output: p.output, detail }));
      return;
    }
    if (complete) {
      this.pending = undefined;
      p.finish({ kind: 'done', output: p.output, status: p.output.status! });
    } else if (p.output.totalBytes > MAX_DRAIN_BYTES) {
      this.child.stdout!.pause();
    }
  }

  /**
   * Kills the sandbox. SIGKILL goes to the init of the sandbox's PID namespace
   * (bwrap's child), which takes every sandboxed process with it; the outer bwrap
   * then reaps it and exits. Killing the outer bwrap first would also work
   * (--die-with-parent) but leaves the init a zombie for the host's PID 1 to reap.
   */
  async kill(): Promise<void> {
    if (this.exit) return;
    this.child.stdout!.resume(); // drain to EOF so 'close' can fire
    const inner = this.child.pid === undefined ? [] : childPids(this.child.pid);
    for (const pid of inner) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    const fallback = setTimeout(() => this.child.kill('SIGKILL'), inner.length ? 2000 : 0);
    await this.closed;
    clearTimeout(fallback);
  }
}
