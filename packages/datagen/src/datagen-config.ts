// Configuration of the task generator (zod). Defaults are this project's choice;
// the paper does not publish its generator's mix.
import { z } from 'zod';

export const DatagenConfig = z.object({
  /** Number of tasks to generate. */
  n: z.number().int().min(0).max(10_000_000).default(100),
  /** Base seed; task i uses the stream (seed, i), so any prefix is reproducible. */
  seed: z.number().int().min(0).max(0xffffffff).default(0),
  /** Fraction of agentic references that carry an injected error and its fix. */
  errorRate: z.number().min(0).max(1).default(0.3),
  /** Difficulties to draw from, uniformly. */
  difficulties: z.array(z.union([z.literal(1), z.literal(2), z.literal(3)])).min(1).default([1, 2, 3]),
});
export type DatagenConfig = z.infer<typeof DatagenConfig>;
