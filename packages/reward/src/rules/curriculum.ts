// The cosine curriculum (TRAJECTORY.md), a pure function of the step:
//   w_struct(t) = w_end + (w_start − w_end) · ½ · (1 + cos(π · min(t / T, 1)))
//   w_sem(t)    = 1 − w_struct(t)
// Defaults w_start = 0.7, w_end = 0.1 (this project's; the paper names the cosine
// schedule without its constants). T = 0 means "no schedule": w_struct = w_end.
import { z } from 'zod';

export const CurriculumConfig = z.object({
  /** Structural weight at step 0. */
  wStart: z.number().min(0).max(1).default(0.7),
  /** Structural weight from step T on. */
  wEnd: z.number().min(0).max(1).default(0.1),
  /** T: total training steps. */
  totalSteps: z.number().int().min(0).default(1000),
});
export type CurriculumConfig = z.infer<typeof CurriculumConfig>;

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
