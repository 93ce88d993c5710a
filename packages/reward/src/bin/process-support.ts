// What the reward service and reward worker processes share: waiting for
// SIGTERM / SIGINT (or an AbortSignal, in tests), taking a process's own flags out
// of argv before the rest goes to the run config, and turning an error into one
// line with its code and an exit status (2: bad flags or config, 1: anything else).
import type { NatsConnection } from 'nats';
import { DatarusError, ErrorCode } from '@datarus/contracts';

export interface ProcessIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

export interface ProcessOptions {
  /** Aborting it stops the process as SIGTERM would (tests run the entry points in process). */
  signal?: AbortSignal;
  io?: ProcessIo;
}

const USAGE_CODES = new Set<string>([ErrorCode.InvalidArgument, ErrorCode.InvalidConfig, ErrorCode.FileNotFound]);

/** 2 for an error in the flags or the config, 1 for anything else. */
export function exitCodeOf(e: unknown): number {
  return e instanceof DatarusError && USAGE_CODES.has(e.code) ? 2 : 1;
}

/** "<program>: error <CODE>: <message>" (no stack: these are the user's errors or the network's). */
export function errorLine(program: string, e: unknown): string {
  const code = e instanceof DatarusError ? e.code : String((e as { code?: unknown })?.code ?? ErrorCode.Internal);
  return `${program}: error ${code}: ${e instanceof Error ? e.message : String(e)}`;
}

/**
 * Splits `--name value` / `--name=value` for `names` out of argv; everything else
 * is returned in order for the run config's own flag parser.
 */
export function takeFlags(argv: string[], names: readonly string[]): { own: Record<string, string>; rest: string[] } {
  const own: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') ? arg.slice(2, eq > 0 ? eq : undefined) : '';
    if (!names.includes(flag)) {
      rest.push(arg);
      continue;
    }
    let value: string | undefined = eq > 0 ? arg.slice(eq + 1) : undefined;
    if (value === undefined && i + 1 < argv.length && !argv[i + 1].startsWith('--')) value = argv[++i];
    if (!value) throw new DatarusError(ErrorCode.InvalidArgument, `--${flag} needs a value`);
    if (flag in own) throw new DatarusError(ErrorCode.InvalidArgument, `--${flag} given twice`);
    own[flag] = value;
  }
  return { own, rest };
}

export type StopReason = { kind: 'signal'; name: string } | { kind: 'connection-closed'; error?: Error };

/**
 * Resolves on the first SIGTERM or SIGINT (or abort of `signal`), or when `nc`
 * closes on its own. The signal handlers are removed then, so a second signal
 * during the drain ends the process at once.
 */
export function untilStop(nc: NatsConnection | undefined, signal?: AbortSignal): Promise<StopReason> {
  return new Promise<StopReason>((resolve) => {
    const done = (r: StopReason) => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const onTerm = () => done({ kind: 'signal', name: 'SIGTERM' });
    const onInt = () => done({ kind: 'signal', name: 'SIGINT' });
    const onAbort = () => done({ kind: 'signal', name: 'abort' });
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    void nc?.closed().then((error) => done({ kind: 'connection-closed', error: error ?? undefined }));
  });
}
