// Blends worker scores into one reward (pure):
//   R = w_struct(t) · R_structure + w_sem(t) · R_semantic
// where each side is the weighted mean of its workers' scores. A worker with no
// score is left out of its side's mean and listed under `missing`; a side with no
// score at all gives its weight to the other side (noted as "<side>:renormalised"),
// and with no score on either side there is no reward.
import type { BlendedScore, NoScore, SubScore } from '@datarus/contracts';
import type { CurriculumWeights } from '../rules/curriculum.js';

export type WorkerRole = 'structure' | 'semantic';

export interface WorkerOutcome {
  worker: string;
  role: WorkerRole;
  /** Weight within its side; > 0. */
  weight: number;
  /** In [0, 1], or null with `noScore` set. */
  score: number | null;
  components: SubScore[];
  noScore?: NoScore;
}

export function blendScores(outcomes: readonly WorkerOutcome[], weights: CurriculumWeights, step: number): BlendedScore {
  const components: SubScore[] = [
    { name: 'w_struct', value: weights.wStruct },
    { name: 'w_sem', value: weights.wSem },
  ];
  const missing: Record<string, NoScore> = {};
  const side = (role: WorkerRole): number | null => {
    let sum = 0;
    let total = 0;
    for (const o of outcomes) {
      if (o.role !== role) continue;
      if (o.score === null) continue;
      sum += o.weight * o.score;
      total += o.weight;
    }
    return total > 0 ? sum / total : null;
  };
  for (const o of outcomes) {
    if (o.score === null) {
      missing[o.worker] = o.noScore ?? { reason: 'no score', code: 'E_WORKER_FAILED' };
      continue;
    }
    components.push({ name: o.worker, value: o.score });
    for (const c of o.components) components.push({ name: `${o.worker}.${c.name}`, value: c.value });
  }
  const rs = side('structure');
  const rm = side('semantic');
  let reward = 0;
  let hasReward = true;
  if (rs !== null && rm !== null) reward = weights.wStruct * rs + weights.wSem * rm;
  else if (rs !== null) reward = rs;
  else if (rm !== null) reward = rm;
  else hasReward = false;
  if (rs !== null) components.push({ name: 'structure', value: rs });
  if (rm !== null) components.push({ name: 'semantic', value: rm });
  return { reward: Math.min(1, Math.max(0, reward)), hasReward, step, wStruct: weights.wStruct, wSem: weights.wSem, components, missing };
}
