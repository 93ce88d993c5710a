// Structural reward R_struct in [0, 1] (TRAJECTORY.md): 0 when the tags do not
// parse (unbalanced or misnested), else the fraction of the mode's checks that
// pass. Every check is reported by name so a run can see which ones the policy
// still fails. Departure: "answer short" is made concrete as one line of at most
// 200 characters.
import type { Mode, Span } from '@datarus/contracts';
import { contentOf } from './tag-parser.js';
import { normalizeCode, viewTrajectory } from './trajectory-view.js';

export interface RuleScore {
  score: number;
  /** Named checks or sub-scores, each in [0, 1]. */
  components: Record<string, number>;
  /** Why the score is what it is, when something failed. */
  notes: string[];
}

const MAX_ANSWER_CHARS = 200;

const shortAnswer = (a: string) => a.trim().length > 0 && a.trim().length <= MAX_ANSWER_CHARS && !a.trim().includes('\n');

export function structuralReward(text: string, mode: Mode, observationSpans: readonly Span[] = []): RuleScore {
  const view = viewTrajectory(text, observationSpans);
  if (!view.parse.ok) return { score: 0, components: { parses: 0 }, notes: [view.parse.error] };
  const { roots, textOutside } = view.parse;
  const checks: Record<string, boolean> = {};
  if (mode === 'MODE_AGENTIC') {
    const steps = view.steps;
    const last = roots[roots.length - 1];
    checks.has_step = steps.length > 0;
    checks.steps_well_formed =
      steps.length > 0 &&
      steps.every(
        (s) =>
          s.order[0] === 'thought' && s.order[1] === 'action' && s.order[2] === 'action_input' &&
          s.order.slice(3).every((t) => t === 'observation') &&
          (s.code ?? '').trim().length > 0 && (s.action ?? '').trim().length > 0,
      );
    checks.no_hallucinated_observation = steps.every((s) => !s.hallucinatedObservation);
    checks.ends_with_stop_analysis =
      !!last && last.tag === 'stop_analysis' && roots.filter((r) => r.tag === 'stop_analysis').length === 1 &&
      last.children.length === 2 && last.children[0].tag === 'thought' && last.children[1].tag === 'answer' &&
      shortAnswer(contentOf(text, last.children[1]));
    checks.nothing_outside =
      !textOutside && roots.every((r) => r.tag === 'step' || r.tag === 'stop_analysis') && roots.every((r) => !r.strayText);
    checks.no_repeated_step = steps.every((s, i) => i === 0 || s.code === null || steps[i - 1].code === null || normalizeCode(s.code) !== normalizeCode(steps[i - 1].code!));
  } else {
    const think = roots.filter((r) => r.tag === 'think');
    const answer = roots.filter((r) => r.tag === 'answer');
    checks.one_think = think.length === 1;
    checks.one_answer = answer.length === 1;
    checks.think_then_answer = roots.length === 2 && roots[0].tag === 'think' && roots[1].tag === 'answer';
    checks.nothing_outside = !textOutside;
    checks.think_non_empty = think.length > 0 && contentOf(text, think[0]).trim().length > 0;
    checks.answer_short = answer.length > 0 && shortAnswer(contentOf(text, answer[answer.length - 1]));
  }
  const names = Object.keys(checks);
  const passed = names.filter((n) => checks[n]).length;
  const components: Record<string, number> = { parses: 1 };
  for (const n of names) components[n] = checks[n] ? 1 : 0;
  return { score: passed / names.length, components, notes: names.filter((n) => !checks[n]).map((n) => `failed: ${n}`) };
}
