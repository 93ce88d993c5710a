// Options of one agentic group (TRAJECTORY.md, "Agentic mode"): the episode limits,
// the sandbox limits each sample's Python kernel runs under, and the sampling
// fields passed to the engine. One zod schema; every field has its default.
import { AgenticConfig } from '@datarus/config';
import type { SandboxOptions } from '@datarus/sandbox';
import { z } from 'zod';

export const AgenticOptions = z.object({
  // the episode and sandbox limits, as a run's config states them
  ...AgenticConfig.shape,
  /**
   * Tokens per decode call. Decoding goes in chunks so that maxTotalTokens is
   * overshot by at most one chunk (the engine's group takes one per-call limit).
   */
  decodeChunkTokens: z.number().int().min(1).default(256),
  /** Softmax temperature; 0 = greedy. */
  temperature: z.number().min(0).default(1),
  /** Nucleus mass in (0, 1]; 1 = off. */
  topP: z.number().gt(0).max(1).default(1),
  /** Keep only the k most likely tokens; 0 = off. */
  topK: z.number().int().min(0).default(0),
  /** Seed of sample 0; sample i uses seed + i. */
  seed: z.number().int().min(0).default(0),
  /** Samples decoded together (bounds the engine's peak memory). */
  microBatch: z.number().int().min(1).default(8),
  /** Further sandbox options (bwrap path, process and CPU limits…); files, timeout, memory and output cap come from above. */
  sandbox: z.custom<Omit<SandboxOptions, 'files'>>((v) => typeof v === 'object' && v !== null).default({}),
  /** Cancels the group: the promise rejects with E_ABORTED once the current decode call returns; sandboxes are closed at once. */
  signal: z.custom<AbortSignal>((v) => v instanceof AbortSignal).optional(),
});
export type AgenticOptions = z.input<typeof AgenticOptions>;
export type ResolvedAgenticOptions = z.output<typeof AgenticOptions>;
