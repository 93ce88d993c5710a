// Schemas of the reward side of a run: the cosine curriculum's constants, the
// reward workers the service asks, and the service itself. The algorithms that
// use them live in @datarus/reward.
import { z } from 'zod';

/** Cosine curriculum constants (TRAJECTORY.md; the paper names the schedule without its constants). */
export const CurriculumConfig = z.object({
  /** Structural weight at step 0. */
  wStart: z.number().min(0).max(1).default(0.7),
  /** Structural weight from step T on. */
  wEnd: z.number().min(0).max(1).default(0.1),
  /** T: total training steps. */
  totalSteps: z.number().int().min(0).default(1000),
});
export type CurriculumConfig = z.infer<typeof CurriculumConfig>;

export const WorkerEntry = z.object({
  /** Worker name; its NATS subject is datarus.v1.reward.<name>. */
  name: z.string().regex(/^[a-z0-9_-]{1,64}$/),
  /** Which curriculum side the score counts on: structure (w_struct) or semantic (w_sem). */
  role: z.enum(['structure', 'semantic']),
  /** Weight within its side (renormalised over the workers that answered). */
  weight: z.number().positive().default(1),
  /** How to reach it: in process (built-ins only), NATS request/reply, or gRPC. */
  transport: z.enum(['local', 'nats', 'grpc']).default('nats'),
  /** gRPC address host:port (transport grpc only). */
  address: z.string().optional(),
  /** NATS body encoding (transport nats only). */
  encoding: z.enum(['protobuf', 'json']).default('protobuf'),
  /** Time to wait for a score before counting it missing, in milliseconds (per attempt). */
  timeoutMs: z.number().int().positive().default(5000),
  /**
   * Further attempts after a timeout or "no responders" (a worker killed mid-request):
   * over NATS the queue group hands the retry to another copy of the worker.
   */
  retries: z.number().int().min(0).max(10).default(1),
});
export type WorkerEntry = z.infer<typeof WorkerEntry>;

export const RewardServiceConfig = z.object({
  workers: z.array(WorkerEntry).min(1).default([
    { name: 'structural', role: 'structure', weight: 1, transport: 'local', encoding: 'protobuf', timeoutMs: 5000, retries: 1 },
    { name: 'hrm', role: 'semantic', weight: 1, transport: 'local', encoding: 'protobuf', timeoutMs: 5000, retries: 1 },
  ]),
  curriculum: CurriculumConfig.default({ wStart: 0.7, wEnd: 0.1, totalSteps: 1000 }),
});
export type RewardServiceConfig = z.infer<typeof RewardServiceConfig>;
