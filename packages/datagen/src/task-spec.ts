// What a domain generator returns before it becomes a Task message: the problem,
// its ground truth, the reasoning lines of a reflection reference, and (for tasks
// with data files) the steps of an agentic reference with error variants that the
// injector may swap in.
import type { DataFile, Domain } from '@datarus/contracts';
import type { Rng } from './rng.js';

export type Difficulty = 1 | 2 | 3;
export type ErrorKind = 'typo' | 'wrong_column' | 'wrong_formula';

/** A mistaken version of a step, and the thought that notices it in the next step. */
export interface ErrorVariant {
  kind: ErrorKind;
  code: string;
  /** What the sandbox prints for the mistaken code (a traceback or a wrong value). */
  observation: string;
  fixThought: string;
}

export interface AgenticStep {
  thought: string;
  /** Python, run in a notebook-like kernel (`df` etc. persist across steps). */
  code: string;
  /** What the sandbox prints for `code`. */
  observation: string;
  errors?: ErrorVariant[];
}

export interface TaskSpec {
  kind: string;
  domain: Domain;
  difficulty: Difficulty;
  prompt: string;
  files: DataFile[];
  answer: { number: number; unit: string; dp: number };
  /** Reasoning lines of the reflection reference; arithmetic claims are `expr = value`. */
  reasoning: string[];
  agentic?: { steps: AgenticStep[]; finalThought: string };
}

export type TaskGenerator = (rng: Rng, difficulty: Difficulty) => TaskSpec;

/** A Python traceback as the sandbox reports it. */
export function traceback(line: string, error: string): string {
  return `Traceback (most recent call last):\n  File "<cell>", line 1, in <module>\n    ${line}\n${error}`;
}
