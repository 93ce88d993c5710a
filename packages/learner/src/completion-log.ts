// completions.jsonl: the samples a step trained on, one JSON line each, so that
// what the policy wrote can be read next to what it was paid for: the blended
// reward and each component, the advantage it was trained with, and why the
// sample ended. Rank 0 appends a step's rows every learner.logCompletions steps
// (report/metrics-file.ts appendJsonLines); the report shows the last step's.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { finishReasonName, type ScoredGroup } from '@datarus/contracts';

export interface CompletionRow {
  step: number;
  groupId: string;
  taskId: string;
  /** Generator kind of the task, e.g. "finance.growth". */
  kind: string;
  /** 0 .. G − 1 within the group. */
  sample: number;
  policyVersion: number;
  /** Blended reward; null when every worker failed (the sample was left out of its group's statistics). */
  reward: number | null;
  /** The advantage the sample was trained with. */
  advantage: number;
  /** Every component the reward service reported ("<worker>" and "<worker>.<component>"). */
  components: Record<string, number>;
  /** Workers that gave no score, with their reason. */
  missing: Record<string, string>;
  /** Tokens the policy wrote (observation tokens not counted). */
  policyTokens: number;
  /** stop, length, tool_limit, error or unknown. */
  finishReason: string;
  text: string;
}

/** One row per sample of `groups`, in batch order; advantages [groups × G] in the same order. */
export function completionRows(step: number, groups: readonly ScoredGroup[], advantages: ArrayLike<number>): CompletionRow[] {
  const rows: CompletionRow[] = [];
  for (const sg of groups) {
    const g = sg.group!;
    g.samples.forEach((s, i) => {
      const score = sg.scores[i];
      rows.push({
        step,
        groupId: g.groupId,
        taskId: g.taskId,
        kind: g.task?.kind ?? '',
        sample: i,
        policyVersion: g.policyVersion,
        reward: score?.hasReward ? score.reward : null,
        advantage: advantages[rows.length],
        components: Object.fromEntries((score?.components ?? []).map((c) => [c.name, c.value])),
        missing: Object.fromEntries(Object.entries(score?.missing ?? {}).map(([w, m]) => [w, m.reason])),
        policyTokens: s.lossMask.filter(Boolean).length,
        finishReason: finishReasonName(s.finishReason),
        text: s.completionText,
      });
    });
  }
  if (rows.length !== advantages.length) throw new Error(`completionRows: ${rows.length} samples but ${advantages.length} advantages`);
  return rows;
}

/**
 * The rows of the last step in a completions file, read from its last `tailBytes`
 * only (the file grows with the run); torn or malformed lines are skipped, and a
 * missing file has none.
 */
export function readLastStepCompletions(path: string, tailBytes = 4 << 20): CompletionRow[] {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return [];
    throw e;
  }
  let text: string;
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - tailBytes);
    const buf = Buffer.alloc(size - start);
    readSync(fd, buf, 0, buf.length, start);
    text = buf.toString('utf8');
    if (start > 0) text = text.slice(text.indexOf('\n') + 1); // the first line may be cut
  } finally {
    closeSync(fd);
  }
  const rows: CompletionRow[] = [];
  for (const line of text.split('\n')) {
    try {
      const r = JSON.parse(line) as CompletionRow;
      if (r && Number.isFinite(r.step) && typeof r.text === 'string') rows.push(r);
    } catch {
      // torn or malformed: skipped
    }
  }
  const last = Math.max(...rows.map((r) => r.step));
  return rows.filter((r) => r.step === last);
}
