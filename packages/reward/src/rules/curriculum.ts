// The cosine curriculum (TRAJECTORY.md), a pure function of the step:
//   w_struct(t) = w_end + (w_start − w_end) · ½ · (1 + cos(π · min(t / T, 1)))
//   w_sem(t)    = 1 − w_struct(t)
// Defaults w_start = 0.7, w_end = 0.1 (this project's; the paper names the cosine
// schedule without its constants). T = 0 means "no schedule": w_struct = w_end.
import { CurriculumConfig } from '@datarus/config';

export { CurriculumConfig };

export interface CurriculumWeights {
  wStruct: number;
  wSem: number;
}

export function curriculumWeights(step: number, config: Partial<CurriculumConfig> = {}): CurriculumWeights {
  const { wStart, wEnd, totalSteps } = CurriculumConfig.parse(config);
  const progress = totalSteps <= 0 ? 1 : Math.min(Math.max(step, 0) / totalSteps, 1);
  const wStruct = wEnd + (wStart - wEnd) * 0.5 * (1 + Math.cos(Math.PI * progress));
  return { wStruct, wSem: 1 - wStruct };
}
