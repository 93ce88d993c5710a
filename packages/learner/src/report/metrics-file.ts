// metrics.jsonl: one JSON object (StepMetrics) per line, appended once per
// optimisation step (completions.jsonl is appended the same way, a step's rows at
// once). Each append is one write(2) on a descriptor opened with O_APPEND, so
// concurrent readers and a crash see whole lines or a torn last line, never
// interleaved ones; nothing is fsynced (a lost last step after a power cut is
// acceptable, a stalled step is not).
//
// JSON has no NaN: a non-finite number is written as null and read back as NaN
// (the sign of an infinity is lost). A process that crashed mid-line leaves a
// torn line; the next process to append first ends it with a newline, and the
// reader skips any line that does not parse. A step that occurs twice (a run
// resumed from a checkpoint repeats the steps after it) keeps its last row.
import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StepMetrics } from '../step-metrics.js';

/** Paths this process has already appended to (their last line is known to be whole). */
const opened = new Set<string>();

const isMissing = (e: unknown) => (e as { code?: string }).code === 'ENOENT';

/** True when the file exists, is not empty and does not end with a newline. */
function endsMidLine(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    if (isMissing(e)) return false;
    throw e;
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    closeSync(fd);
  }
}

/** Appends rows as JSON lines in one write (creating the file and its directory if needed). */
export function appendJsonLines(path: string, rows: readonly unknown[]): void {
  if (rows.length === 0) return;
  let text = rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  if (!opened.has(path)) {
    mkdirSync(dirname(path), { recursive: true });
    if (endsMidLine(path)) text = `\n${text}`;
    opened.add(path);
  }
  appendFileSync(path, text);
}

/** Appends one metrics row. */
export const appendMetrics = (path: string, row: StepMetrics): void => appendJsonLines(path, [row]);

const nullAsNaN = (_key: string, value: unknown) => (value === null ? NaN : value);

/** One line as a row, or null when it is torn or not a metrics object. */
function parseLine(text: string): StepMetrics | null {
  try {
    const v = JSON.parse(text, nullAsNaN) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
    return Number.isFinite((v as { step?: unknown }).step) ? (v as StepMetrics) : null;
  } catch {
    return null;
  }
}

export interface ReadMetricsOptions {
  /** Called for each line skipped as torn or malformed (1-based line number). */
  onSkip?: (line: number, text: string) => void;
}

/**
 * The rows of a metrics file in step order, one per step. A missing file is an
 * empty run (no step finished yet); torn and malformed lines are skipped.
 */
export function readMetrics(path: string, options: ReadMetricsOptions = {}): StepMetrics[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (isMissing(e)) return [];
    throw e;
  }
  const byStep = new Map<number, StepMetrics>();
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const row = parseLine(line);
    if (row) byStep.set(row.step, row);
    else options.onSkip?.(i + 1, line);
  });
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}
