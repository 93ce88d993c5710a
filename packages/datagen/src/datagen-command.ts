// `datarus datagen --n N --seed S --out tasks.jsonl [--error-rate R]`: writes N
// tasks as JSONL, a progress bar on stderr. Same flags, byte-identical file.
// Returns the exit code (0 ok, 2 bad flags, 1 I/O failure); packages/cli wires it.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { DatarusError, ErrorCode } from '@datarus/contracts';
import { DatagenConfig } from './datagen-config.js';
import { generateTasks } from './generate-tasks.js';
import { progressBar, type ProgressSink } from './progress-bar.js';
import { taskToJsonLine } from './tasks-jsonl.js';

export interface CommandIo {
  stdout: ProgressSink;
  stderr: ProgressSink;
}

const defaultIo = (): CommandIo => ({ stdout: process.stdout, stderr: process.stderr });

export const datagenUsage = 'usage: datarus datagen --n N --seed S --out tasks.jsonl [--error-rate R]';

function num(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (v.trim() === '' || !Number.isFinite(x)) throw new DatarusError(ErrorCode.InvalidArgument, `--${flag}: not a number: ${JSON.stringify(v)}`);
  return x;
}

export async function runDatagenCommand(argv: readonly string[], io: CommandIo = defaultIo()): Promise<number> {
  let cfg: DatagenConfig;
  let out: string;
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: { n: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, 'error-rate': { type: 'string' }, help: { type: 'boolean' } },
      strict: true,
    });
    if (values.help) {
      io.stdout.write(`${datagenUsage}\n`);
      return 0;
    }
    if (!values.out) throw new DatarusError(ErrorCode.InvalidArgument, '--out: required');
    out = values.out;
    const parsed = DatagenConfig.safeParse({ n: num('n', values.n), seed: num('seed', values.seed), errorRate: num('error-rate', values['error-rate']) });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DatarusError(ErrorCode.InvalidArgument, `--${String(issue.path[0]).replace('errorRate', 'error-rate')}: ${issue.message}`);
    }
    cfg = parsed.data;
  } catch (e) {
    io.stderr.write(`datagen: ${(e as Error).message}\n${datagenUsage}\n`);
    return 2;
  }
  try {
    const stream = createWriteStream(out);
    const failed = once(stream, 'error').then(([e]) => Promise.reject(e));
    failed.catch(() => {});
    await Promise.race([once(stream, 'open'), failed]);
    const bar = progressBar(cfg.n, io.stderr, 'datagen ');
    let i = 0;
    bar.tick(0);
    for (const task of generateTasks(cfg)) {
      if (!stream.write(`${taskToJsonLine(task)}\n`)) await Promise.race([once(stream, 'drain'), failed]);
      bar.tick(++i);
    }
    stream.end();
    await Promise.race([once(stream, 'finish'), failed]);
    bar.end();
    io.stderr.write(`datagen: wrote ${cfg.n} tasks to ${out}\n`);
    return 0;
  } catch (e) {
    io.stderr.write(`datagen: ${ErrorCode.FileIo}: cannot write ${out}: ${(e as Error).message}\n`);
    return 1;
  }
}
