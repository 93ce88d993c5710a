// The rule-based Hierarchical Reward Model (TRAJECTORY.md):
//   R_hrm = λ · mean_i(s_i) + (1 − λ) · R_traj,  λ = 0.3 by default.
// Step level, agentic: 1 when the code ran, 0 when it raised, 0.5 when it raised
// and the next step ran clean (self-correction); −0.25 when the thought shares no
// number or name with the previous observation; 0 for a hallucinated observation
// or a step that repeats the previous step's code. Step level, reflection: each
// reasoning line with arithmetic claims scores the fraction that hold; lines
// without claims are neutral, and with no claim at all R_hrm = R_traj. Departure:
// when the problem is given, a claim whose numbers the problem never gave earns
// no credit (./claim-grounding.ts), the reflection analogue of the agentic
// penalty for ignoring the observation.
// Trajectory level (this project's design, the paper gives none):
//   R_traj = correct · (0.7 + 0.15 · consistent + 0.15 · length)
// where consistent = the answer equals the last computed value (1), differs (0),
// or there is none (0.5); length = 1 up to the reference length, falling
// linearly to 0 at `maxLengthRatio` times it.
import { z } from 'zod';
import type { Answer, Mode, Span } from '@datarus/contracts';
import { findClaims } from './arithmetic-claims.js';
import { KnownNumbers } from './claim-grounding.js';
import { parseAnswer, verifyAnswer } from './answer-verifier.js';
import { contentOf } from './tag-parser.js';
import { extractAnswer, normalizeCode, viewTrajectory, type AgenticStepView } from './trajectory-view.js';
import type { RuleScore } from './structural-reward.js';

export const HrmConfig = z.object({
  /** λ: weight of the step level against the trajectory level. */
  lambda: z.number().min(0).max(1).default(0.3),
  /** Completion/reference token ratio at which the length score reaches 0. */
  maxLengthRatio: z.number().gt(1).default(4),
  /** Credit lost by a step whose thought ignores the previous observation. */
  ignoredObservationPenalty: z.number().min(0).max(1).default(0.25),
  /** Reasoning lines longer than this are cut before claim checking (characters). */
  maxLineChars: z.number().int().positive().default(4000),
  /** At most this many arithmetic claims are checked per trajectory; later lines are neutral. */
  maxClaims: z.number().int().positive().default(500),
  /** Reflection: a claim earns step credit only if its numbers come from the problem or earlier results (./claim-grounding.ts). */
  groundClaims: z.boolean().default(true),
});
export type HrmConfig = z.infer<typeof HrmConfig>;

export interface HrmInput {
  text: string;
  mode: Mode;
  answer: Answer | undefined;
  /** Policy tokens of the completion; 0 = estimate as characters / 4. */
  completionTokens: number;
  /** Reference trajectory tokens; 0 = no length penalty. */
  referenceTokens: number;
  /** The problem as posed (prompt and data files); reflection claims are grounded in it when given. */
  problem?: string;
  observationSpans?: readonly Span[];
}

export interface HrmScore extends RuleScore {
  /** s_i per step (agentic steps or reflection lines with claims). */
  stepScores: number[];
}

const ERROR_MARKERS = /Traceback \(most recent call last\)|^[ \t]*[A-Za-z_.]{0,60}(?:Error|Exception)\b/m;
const hasError = (obs: string | null) => obs !== null && ERROR_MARKERS.test(obs.slice(0, 4000));

const SALIENT = /[A-Za-z_][A-Za-z0-9_]{3,}|-?\d+(?:\.\d+)?/g;
function salientTokens(s: string, max = 2000): Set<string> {
  return new Set((s.slice(0, 4000).match(SALIENT) ?? []).slice(0, max).map((t) => t.toLowerCase()));
}

function agenticStepScores(steps: AgenticStepView[], cfg: HrmConfig): number[] {
  return steps.map((s, i) => {
    if (s.hallucinatedObservation || s.observation === null) return 0;
    if (i > 0 && s.code !== null && steps[i - 1].code !== null && normalizeCode(s.code) === normalizeCode(steps[i - 1].code!)) return 0;
    let score = hasError(s.observation) ? (i + 1 < steps.length && steps[i + 1].observation !== null && !hasError(steps[i + 1].observation) ? 0.5 : 0) : 1;
    const prev = i > 0 ? steps[i - 1].observation : null;
    if (prev !== null && prev.trim() !== '') {
      const seen = salientTokens(prev);
      const used = [...salientTokens(s.thought ?? '')].some((t) => seen.has(t));
      if (!used) score = Math.max(0, score - cfg.ignoredObservationPenalty);
    }
    return score;
  });
}

function thinkText(text: string): string {
  const view = viewTrajectory(text);
  if (view.parse.ok) {
    const think = view.parse.roots.find((r) => r.tag === 'think');
    if (think) return contentOf(text, think);
  }
  const open = text.indexOf('<think>');
  const close = text.indexOf('</think>', open + 7);
  return open === -1 ? '' : text.slice(open + 7, close === -1 ? text.length : close);
}

function numbersIn(s: string): number[] {
  return (s.slice(-2000).match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);
}

export function hrmReward(input: HrmInput, config: Partial<HrmConfig> = {}): HrmScore {
  const cfg = HrmConfig.parse(config);
  const notes: string[] = [];
  let stepScores: number[] = [];
  let lastComputed: number[] | null = null;

  if (input.mode === 'MODE_AGENTIC') {
    const view = viewTrajectory(input.text, input.observationSpans ?? []);
    if (!view.parse.ok) notes.push(`tags do not parse: ${view.parse.error}`);
    stepScores = agenticStepScores(view.steps, cfg);
    const lastClean = [...view.steps].reverse().find((s) => s.observation !== null && !s.hallucinatedObservation && !hasError(s.observation));
    if (lastClean) lastComputed = numbersIn(lastClean.observation!);
  } else {
    const lines = thinkText(input.text).split('\n');
    const known = cfg.groundClaims && input.problem !== undefined ? new KnownNumbers(input.problem) : null;
    let lastClaim: number | null = null;
    let budget = cfg.maxClaims;
    for (const line of lines) {
      if (budget <= 0) {
        notes.push(`only the first ${cfg.maxClaims} claims were checked`);
        break;
      }
      const claims = findClaims(line.slice(0, cfg.maxLineChars), budget);
      budget -= claims.length;
      if (claims.length === 0) {
        known?.addAll(line.slice(0, cfg.maxLineChars));
        continue;
      }
      const grounded = claims.map((c) => known === null || known.grounds(c.expression));
      stepScores.push(claims.filter((c, i) => c.holds && grounded[i]).length / claims.length);
      for (const [i, c] of claims.entries()) {
        if (!c.holds && notes.length < 20) notes.push(`claim fails: ${c.expression} = ${c.claimed} (is ${c.actual})`);
        else if (!grounded[i] && notes.length < 20) notes.push(`claim not grounded in the problem: ${c.expression}`);
        if (c.holds) known?.add(c.claimed); // a later claim of the same line may use it
      }
      known?.addAll(line.slice(0, cfg.maxLineChars));
      lastClaim = claims[claims.length - 1].claimed;
    }
    if (lastClaim !== null) lastComputed = [lastClaim];
    if (notes.length > 20) notes.splice(20, notes.length - 20, '…');
  }

  const answerText = extractAnswer(input.text);
  const verdict = verifyAnswer(answerText, input.answer);
  const correct = verdict.correct ? 1 : 0;
  if (!verdict.correct) notes.push(`answer: ${verdict.reason}`);

  let consistent = 0.5;
  const value = answerText === null ? null : parseAnswer(answerText).number;
  if (lastComputed && lastComputed.length > 0 && value !== null) {
    const pct = answerText!.includes('%');
    consistent = lastComputed.some((x) => [value, pct ? value / 100 : value].some((v) => Math.abs(x - v) <= 1e-2 * Math.max(Math.abs(x), 1e-9) + 5e-3)) ? 1 : 0;
  }

  const completion = input.completionTokens > 0 ? input.completionTokens : Math.ceil(input.text.length / 4);
  let length = 1;
  if (input.referenceTokens > 0) {
    const ratio = completion / input.referenceTokens;
    length = ratio <= 1 ? 1 : Math.max(0, 1 - (ratio - 1) / (cfg.maxLengthRatio - 1));
  }

  const traj = correct * (0.7 + 0.15 * consistent + 0.15 * length);
  const stepMean = stepScores.length > 0 ? stepScores.reduce((a, b) => a + b, 0) / stepScores.length : null;
  const score = stepMean === null ? traj : cfg.lambda * stepMean + (1 - cfg.lambda) * traj;
  const components: Record<string, number> = { trajectory: traj, correct, consistent, length };
  if (stepMean !== null) components.steps = stepMean;
  return { score, components, notes, stepScores };
}
