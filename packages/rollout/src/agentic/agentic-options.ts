// Options of one agentic group (TRAJECTORY.md, "Agentic mode"): the episode limits,
// the sandbox limits each sample's Python kernel runs under, and the sampling
// fields passed to the engine. One zod schema; every field has its default.
import type { SandboxOptions } from '@datarus/sandbox';
import { z } from 'zod';

export const AgenticOptions = z.object({
  /** Tool calls executed per sample; the next <action_input> past it ends the sample ('tool_limit'). */
  maxSteps: z.number().int().min(1).default(12),
  /** Failed steps in a row (exception, timeout, unknown tool, unparsable step) that end the sample ('tool_limit'). */
  maxConsecutiveErrors: z.number().int().min(1).default(5),
  /** Completion tokens per sample, model-written and appended together; past it the sample ends ('length'). */
  maxTotalTokens: z.number().int().min(1).default(4096),
  /** Characters of one observation; longer output is cut with a marker. */
  maxObservationChars: z.number().int().min(1).default(4000),
  /** Wall time of one code cell, ms; past it the kernel is restarted (its state is lost). */
  cellTimeoutMs: z.number().int().min(1).default(10_000),
  /** Address-space limit of each sandboxed process, MiB. */
  memoryMb: z.number().int().min(128).default(1024),
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
