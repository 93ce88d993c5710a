// One evaluated sample and how it is scored: the final answer checked against the
// task's ground truth by the reward package's verifier (the same check the
// training reward uses), plus the structural reward of its format.
import type { Mode, Span, Task } from '@datarus/contracts';
import { answerText } from '@datarus/datagen';
import { extractAnswer, structuralReward, verifyAnswer } from '@datarus/reward';

export interface EvalRecord {
  taskId: string;
  /** Generator kind, e.g. "finance.npv". */
  kind: string;
  domain: string;
  difficulty: number;
  mode: Mode;
  /** Index of the sample within its task (0 .. samples − 1). */
  sample: number;
  correct: boolean;
  /** The final answer the sample gave, or null when it gave none. */
  answer: string | null;
  /** The ground truth as text. */
  expected: string;
  /** Why the verifier decided as it did ("text matches", "answer is not a number", …). */
  verdict: string;
  /** Structural reward in [0, 1]. */
  structural: number;
  /** Tokens the model wrote (the "tokens per solution" of the paper). */
  policyTokens: number;
  /** All completion tokens, observations appended by the harness included. */
  totalTokens: number;
  /** stop | length | tool_limit | error */
  finishReason: string;
  text: string;
}

/** The ground truth of a task as one string. */
export function expectedText(task: Task): string {
  const a = task.answer;
  if (!a) return '';
  if (a.text !== undefined) return a.text;
  return a.number === undefined ? '' : answerText(a.number, a.unit);
}

export interface SampleOutcome {
  text: string;
  policyTokens: number;
  totalTokens: number;
  finishReason: string;
  observationSpans?: readonly Span[];
}

/** Scores one completion of `task` (pure: no model, no I/O). */
export function scoreSample(task: Task, mode: Mode, sample: number, o: SampleOutcome): EvalRecord {
  const answer = extractAnswer(o.text);
  const verdict = verifyAnswer(answer, task.answer);
  return {
    taskId: task.id,
    kind: task.kind,
    domain: task.domain,
    difficulty: task.difficulty,
    mode,
    sample,
    correct: verdict.correct,
    answer,
    expected: expectedText(task),
    verdict: verdict.reason,
    structural: structuralReward(o.text, mode, o.observationSpans ?? []).score,
    policyTokens: o.policyTokens,
    totalTokens: o.totalTokens,
    finishReason: o.finishReason,
    text: o.text,
  };
}
