// Reference trajectories in the two formats of TRAJECTORY.md, with step labels.
// Agentic references may carry one injected error (a typo, a wrong column, a wrong
// formula): the mistaken step runs and prints its traceback or wrong value, and the
// next step's thought names the mistake and reruns the right code.
import { Mode, type ReferenceTrajectory, type StepLabel } from '@datarus/contracts';
import { answerText } from './format.js';
import type { Rng } from './rng.js';
import type { AgenticStep, ErrorVariant, TaskSpec } from './task-spec.js';

export const tokenEstimate = (text: string) => Math.ceil(text.length / 4);

export function reflectionReference(spec: TaskSpec): ReferenceTrajectory {
  const text =
    `<think>\n${spec.reasoning.join('\n')}\n</think>\n` +
    `<answer>${answerText(spec.answer.number, spec.answer.unit, spec.answer.dp)}</answer>`;
  const steps: StepLabel[] = spec.reasoning.map((_, index) => ({ index, injectedError: false, fixesError: false, errorKind: '' }));
  return { mode: Mode.MODE_REFLECTION, text, steps, tokenEstimate: tokenEstimate(text), hasInjectedError: false };
}

interface PlannedStep extends AgenticStep {
  label: Omit<StepLabel, 'index'>;
}

function renderStep(s: AgenticStep): string {
  return (
    `<step>\n<thought>${s.thought}</thought>\n<action>python_executor</action>\n` +
    `<action_input>\n${s.code}\n</action_input>\n<observation>\n${s.observation}\n</observation>\n</step>\n`
  );
}

/**
 * The agentic reference. With `inject`, one step that has error variants is
 * preceded by its mistaken version; the step after it becomes the fix.
 */
export function agenticReference(spec: TaskSpec, rng: Rng, inject: boolean): ReferenceTrajectory {
  if (!spec.agentic) throw new Error(`${spec.kind} has no agentic plan`);
  const clean = (s: AgenticStep): PlannedStep => ({ ...s, label: { injectedError: false, fixesError: false, errorKind: '' } });
  let planned: PlannedStep[] = spec.agentic.steps.map(clean);
  const candidates = spec.agentic.steps.map((s, i) => [i, s.errors ?? []] as const).filter(([, e]) => e.length > 0);
  let injected = false;
  if (inject && candidates.length > 0) {
    const [at, variants] = rng.pick(candidates);
    const v: ErrorVariant = rng.pick(variants);
    const original = spec.agentic.steps[at];
    const wrong: PlannedStep = {
      thought: original.thought,
      code: v.code,
      observation: v.observation,
      label: { injectedError: true, fixesError: false, errorKind: v.kind },
    };
    const fix: PlannedStep = { ...original, thought: v.fixThought, label: { injectedError: false, fixesError: true, errorKind: v.kind } };
    planned = [...planned.slice(0, at), wrong, fix, ...planned.slice(at + 1)];
    injected = true;
  }
  const answer = answerText(spec.answer.number, spec.answer.unit, spec.answer.dp);
  const text =
    planned.map(renderStep).join('') +
    `<stop_analysis>\n<thought>${spec.agentic.finalThought}</thought>\n<answer>${answer}</answer>\n</stop_analysis>`;
  const steps = planned.map((p, index) => ({ index, ...p.label }));
  return { mode: Mode.MODE_AGENTIC, text, steps, tokenEstimate: tokenEstimate(text), hasInjectedError: injected };
}
