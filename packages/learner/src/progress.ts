// The console line of a run: a bar per step with reward, accuracy, length, KL, the
// learner's peak memory and the ETA. On a terminal the line is redrawn in place
// while the learner waits for groups; elsewhere (CI logs, files) one line is
// printed per step.
import type { StepMetrics } from './step-metrics.js';

const fmt = (x: number, dp = 3) => (Number.isFinite(x) ? x.toFixed(dp) : '—');

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export function progressLine(m: StepMetrics, totalSteps: number, startStep: number, width = 20): string {
  const filled = Math.round((m.step / totalSteps) * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  const perStep = m.elapsed / Math.max(1, m.step - startStep);
  const eta = perStep * (totalSteps - m.step);
  return (
    `step ${String(m.step).padStart(String(totalSteps).length)}/${totalSteps} ${bar} ` +
    `reward ${fmt(m.reward)} acc ${fmt(m.accuracy, 2)} len ${fmt(m.completionLengthMean, 0)} kl ${fmt(m.kl, 4)} ` +
    `mem ${fmt(m.memory?.learnerPeakGiB ?? NaN, 1)}G ` +
    `| ${perStep.toFixed(1)}s/step ETA ${duration(eta)}`
  );
}

export class Progress {
  private readonly tty: boolean;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    tty?: boolean,
  ) {
    this.tty = tty ?? Boolean(out.isTTY);
  }

  step(line: string): void {
    this.out.write(this.tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }

  waiting(line: string): void {
    if (this.tty) this.out.write(`\r\x1b[2K${line}`);
  }

  note(line: string): void {
    this.out.write(this.tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }
}
