// A notebook-style Python executor for one agentic episode: one long-lived
// kernel inside bubblewrap, cells run in order with shared state. Whatever a cell
// does (loops forever, forks, allocates, floods output, kills its kernel), run()
// resolves with a CellResult: a kernel that timed out or died is replaced by a
// fresh one at the next run() (its state is lost, and the result says so), and
// the episode goes on. Only start() failures and use after close() throw.
//
// Processes are started only inside start() and run(), never in the background:
// a fork() of the host while another of its threads runs OpenBLAS can deadlock in
// OpenBLAS's fork handler, so a caller that also computes (the engine) must be
// able to keep the two apart.
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { DatarusError, ErrorCode } from '@datarus/contracts';
import { capOutput } from './cell-output.js';
import { KernelProcess, type Outcome } from './kernel-process.js';
import { SandboxOptions, type ResolvedSandboxOptions } from './sandbox-options.js';

const KERNEL_SOURCE = new URL('../python/kernel.py', import.meta.url);

export interface CellResult {
  /** stdout and stderr interleaved as printed (a traceback included), cut at maxOutputChars with a marker; notes from the sandbox in [brackets]. */
  output: string;
  /** The cell ran to its end without an exception. */
  ok: boolean;
  /** Set when the sandbox, not only the code, failed: timeout, a resource limit, a dead kernel. */
  error?: { code: ErrorCode; message: string };
  /** Wall time of run(), s (a kernel restart before the cell included). */
  seconds: number;
  /** The output was cut at maxOutputChars. */
  truncated: boolean;
  /** The kernel was replaced during or just before this cell: variables of earlier cells are gone. */
  restarted: boolean;
}

const STATE_LOST = 'a fresh Python kernel took its place, so variables and imports from earlier cells are lost';

export class PythonSandbox {
  private kernel: KernelProcess | undefined;
  /** The kernel to start afresh at the next run() (it timed out or died during a cell). */
  private replace = false;
  private queue: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly options: ResolvedSandboxOptions,
    private readonly source: string,
    kernel: KernelProcess,
  ) {
    this.kernel = kernel;
  }

  /** Starts the kernel and writes the files; rejects with E_SANDBOX_FAILED (bwrap missing, no namespaces) or E_INVALID_ARGUMENT. */
  static async start(options: SandboxOptions = {}): Promise<PythonSandbox> {
    const parsed = SandboxOptions.safeParse(options);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
      throw new DatarusError(ErrorCode.InvalidArgument, `bad sandbox options: ${detail}`);
    }
    const o = parsed.data;
    const source = await readFile(KERNEL_SOURCE, 'utf8');
    return new PythonSandbox(o, source, await KernelProcess.start(o, source, o.files));
  }

  get resolvedOptions(): Readonly<ResolvedSandboxOptions> {
    return this.options;
  }

  /** Runs one cell after the previous ones (calls queue up). Rejects only with E_DISPOSED after close(). */
  run(code: string): Promise<CellResult> {
    const r = this.queue.then(() => this.runNow(code));
    this.queue = r.catch(() => {});
    return r;
  }

  private async runNow(code: string): Promise<CellResult> {
    this.checkOpen();
    const t0 = performance.now();
    const seconds = () => (performance.now() - t0) / 1000;
    let restarted = false;
    if (this.replace || !this.kernel?.alive) {
      // A kernel that ended between cells: say so. (One that ended during a cell
      // was reported by that cell.)
      restarted = !this.replace;
      this.replace = false;
      const old = this.kernel;
      this.kernel = undefined;
      try {
        await old?.kill();
        this.kernel = await KernelProcess.start(this.options, this.source, this.options.files);
      } catch (e) {
        const message = `the sandbox could not restart its Python kernel: ${(e as Error).message}`;
        return { output: `[${message}]`, ok: false, error: { code: ErrorCode.SandboxFailed, message }, seconds: seconds(), truncated: false, restarted: true };
      }
      if (this.closing) {
        await this.kernel.kill();
        this.checkOpen();
      }
    }
    const outcome = await this.kernel.request({ op: 'run', code }, this.options.cellTimeoutMs);
    this.checkOpen();
    const result = this.toResult(outcome);
    if (outcome.kind !== 'done') this.replace = true;
    const before = restarted ? `[the Python kernel had stopped after the previous cell; ${STATE_LOST}]\n` : '';
    return { ...result, output: before + result.output, seconds: seconds(), restarted: restarted || result.restarted };
  }

  private toResult(outcome: Outcome): Omit<CellResult, 'seconds'> {
    const o = this.options;
    const status = outcome.kind === 'done' ? outcome.status : undefined;
    const printed = outcome.output.text();
    const cut = capOutput(printed, o.maxOutputChars, (status?.dropped ?? 0) > 0 || outcome.output.overflowed);
    let output = cut.text;
    const fail = (code: ErrorCode, message: string, restarted: boolean) => ({
      output: `${output}${output && !output.endsWith('\n') ? '\n' : ''}[${message}]`,
      ok: false,
      error: { code, message },
      truncated: cut.truncated,
      restarted,
    });
    switch (outcome.kind) {
      case 'timeout':
        return fail(ErrorCode.SandboxTimeout, `the cell ran past the ${o.cellTimeoutMs / 1000} s limit and was stopped; ${STATE_LOST}`, true);
      case 'corrupt':
        return fail(ErrorCode.SandboxFailed, `${outcome.detail}; ${STATE_LOST}`, true);
      case 'died': {
        const code = outcome.code ?? -1;
        if (code === 128 + 24) return fail(ErrorCode.SandboxLimit, `the kernel used up its CPU time limit (${o.cpuSeconds} s); ${STATE_LOST}`, true);
        if (code === 128 + 9) return fail(ErrorCode.SandboxLimit, `the kernel was killed (out of memory, or past its CPU time limit); ${STATE_LOST}`, true);
        const how = code > 128 ? `was killed by signal ${code - 128}` : `exited with code ${code}`;
        return fail(ErrorCode.SandboxFailed, `the Python kernel ${how} during the cell; ${STATE_LOST}`, true);
      }
      case 'done': {
        const s = outcome.status;
        // The traceback's last line may have been cut away with the output: repeat it.
        if (!s.ok && cut.truncated && s.error) output += `\n${s.error}`;
        if (!s.ok && s.limit) {
          const what = s.limit === 'memory' ? `memory limit (${o.memoryMb} MiB)` : `process limit (${o.maxProcesses})`;
          return { output, ok: false, error: { code: ErrorCode.SandboxLimit, message: `the cell hit the ${what}` }, truncated: cut.truncated, restarted: false };
        }
        return { output, ok: s.ok, truncated: cut.truncated, restarted: false };
      }
    }
  }

  private checkOpen(): void {
    if (this.closing) throw new DatarusError(ErrorCode.Disposed, 'sandbox was closed');
  }

  /** Kills the kernel and everything it started; a cell in flight rejects with E_DISPOSED. Idempotent: every call resolves once all is gone. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.kernel?.kill();
      await this.queue; // a cell in flight ends (and a kernel it was starting is killed) before this resolves
    })();
    return this.closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
