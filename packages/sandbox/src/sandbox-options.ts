// Options of a PythonSandbox, one zod schema with every default and unit. The
// limits are per process inside the sandbox (setrlimit), except the cell timeout
// (wall clock, enforced by the host) and the output cap (per cell).
import { z } from 'zod';

/** A file written into the sandbox's working directory before the first cell. */
export const DataFile = z.object({
  /** A plain file name (no directories), e.g. "data.csv". */
  name: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/, 'a plain file name: letters, digits, "._-", no directories'),
  /** UTF-8 text. */
  content: z.string(),
});
export type DataFile = z.infer<typeof DataFile>;

export const SandboxOptions = z.object({
  /** Files written into the working directory (also after each kernel restart). */
  files: z.array(DataFile).default([]),
  /** Address-space limit of each process (RLIMIT_AS), MiB. pandas needs ~300. */
  memoryMb: z.number().int().min(128).default(1024),
  /** Processes and threads the sandbox may hold at once (RLIMIT_NPROC, kernel included). */
  maxProcesses: z.number().int().min(4).default(64),
  /** CPU time of each process over its whole life (RLIMIT_CPU), s; past it the kernel is killed. */
  cpuSeconds: z.number().int().min(1).default(120),
  /** Open files per process (RLIMIT_NOFILE). */
  maxOpenFiles: z.number().int().min(32).default(256),
  /** Size of each writable tmpfs (working directory, /tmp), MiB; also the largest file (RLIMIT_FSIZE). */
  diskMb: z.number().int().min(1).default(64),
  /** Output characters kept per cell (stdout and stderr together); the rest is cut with a marker. */
  maxOutputChars: z.number().int().min(1).default(4000),
  /** Wall time of one cell, ms; past it the kernel is killed and a fresh one started (state lost). */
  cellTimeoutMs: z.number().int().min(1).default(10_000),
  /** Wall time to start the kernel and write the files, ms. */
  startTimeoutMs: z.number().int().min(1).default(30_000),
  /** Modules imported when the kernel starts (into sys.modules only), e.g. ["pandas"]. */
  preload: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.]*$/)).default([]),
  /** The bubblewrap binary (Debian package bubblewrap); a bare name is looked up on PATH. */
  bwrapPath: z.string().min(1).default('bwrap'),
  /** The interpreter inside the sandbox; must lie under /usr (the system Python has pandas and numpy). */
  pythonPath: z.string().startsWith('/usr/').default('/usr/bin/python3'),
  /**
   * Host uid/gid that runs bwrap when this process is root. Processes of root are
   * exempt from the process limit, so the sandbox runs as an unprivileged user
   * (default nobody). Ignored when not root.
   */
  hostUid: z.number().int().min(1).default(65534),
  hostGid: z.number().int().min(1).default(65534),
});
export type SandboxOptions = z.input<typeof SandboxOptions>;
export type ResolvedSandboxOptions = z.output<typeof SandboxOptions>;

/** The working directory inside the sandbox (a fresh tmpfs). */
export const SANDBOX_WORKDIR = '/home/analyst';
