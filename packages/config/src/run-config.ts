// The configuration of a training run: one file (JSON or YAML-free JSON) that
// every process of the run reads — the learner, rollout workers, the reward
// service and reward workers each use their section. Every field has its default;
// defaults.ts layers the laptop-sized run on top (what `nx run learner:train`
// runs with no arguments). Without `nats.url` the learner runs the embedded
// default: it starts a local nats-server and spawns the other processes itself.
import { z } from 'zod';
import { GrpoConfig } from '@datarus/grpo';
import { ConsumerSettings, GrpcClientConfig, NatsConfig, PolicyServiceConfig, StreamsConfig, TlsFiles } from '@datarus/transport';
import { CurriculumConfig, WorkerEntry } from './reward-config.js';

const TASK_KINDS = [
  'arithmetic.expression',
  'statistics.dataset',
  'finance.growth',
  'finance.compound_interest',
  'finance.npv',
  'medicine.dosage',
  'medicine.bmi',
  'medicine.diagnostic_test',
  'numerical.root',
  'numerical.integral',
  'numerical.linear_fit',
] as const;

export const TasksConfig = z
  .object({
    /** Seed of the task generator (task i of step s is a pure function of it). */
    seed: z.number().int().min(0).max(0xffffffff).default(1),
    /** Task kinds drawn from, uniformly; empty = every kind (datagen's domain mix). */
    kinds: z.array(z.enum(TASK_KINDS)).default([]),
    /** Difficulties drawn from (1 easy .. 3 hard). */
    difficulties: z.array(z.union([z.literal(1), z.literal(2), z.literal(3)])).min(1).default([1, 2, 3]),
    /**
     * Training set size: 0 = a fresh task for every request; N = requests cycle over
     * the first N tasks (epochs over a fixed set, so that later steps revisit earlier tasks).
     */
    pool: z.number().int().min(0).default(0),
    /** reflection: <think>/<answer>; agentic: ReAct steps run in the sandbox; mixed: agentic where the task allows, alternating. */
    mode: z.enum(['reflection', 'agentic', 'mixed']).default('reflection'),
  })
  .strict();

export const SamplingConfig = z
  .object({
    /** Softmax temperature of rollouts; 0 = greedy (then a group has no spread). */
    temperature: z.number().min(0).default(1),
    /** Nucleus mass in (0, 1]; 1 = off. */
    topP: z.number().gt(0).max(1).default(1),
    /** Keep only the k most likely tokens; 0 = off. */
    topK: z.number().int().min(0).default(0),
  })
  .strict();

export const SftConfig = z
  .object({
    /** Supervised warm-up steps on the generator's reference trajectories before RL; 0 = none. */
    steps: z.number().int().min(0).default(0),
    /** Sequences per warm-up step. */
    batchSize: z.number().int().min(1).default(8),
    /** Learning rate of the warm-up (constant, AdamW). */
    lr: z.number().positive().default(5e-5),
    /** Task seed of the warm-up data (kept apart from the RL tasks). */
    seed: z.number().int().min(0).max(0xffffffff).default(99),
  })
  .strict();

/**
 * Held-out evaluation (@datarus/eval): the policy RL starts from and the trained one
 * answer the same tasks, drawn like the training tasks (tasks.kinds, difficulties,
 * mode; mixed counts as reflection) but from their own seed, so none is a training
 * task. Accuracy and tokens per solution of both go to eval/summary.json (every
 * scored sample to eval/initial.jsonl and final.jsonl), the console and the report.
 */
export const EvalConfig = z
  .object({
    /** Held-out tasks; 0 = no evaluation. */
    tasks: z.number().int().min(0).default(0),
    /** Seed of the held-out tasks (kept apart from tasks.seed and sft.seed). */
    seed: z.number().int().min(0).max(0xffffffff).default(7919),
    /** Samples per task; pass@k is reported up to it. */
    samples: z.number().int().min(1).default(1),
    /** 0 = greedy (the default; then one sample per task says it all). */
    temperature: z.number().min(0).default(0),
    /** Model-written tokens per sample; 0 = grpo.maxCompletionLength. */
    maxNewTokens: z.number().int().min(0).default(0),
  })
  .strict();

/** Limits of an agentic episode (TRAJECTORY.md, "Agentic mode") and of its sandboxed kernel. */
export const AgenticConfig = z
  .object({
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
    /** Address-space limit of each sandboxed process, MiB (the sandbox's own minimum is 128). */
    memoryMb: z.number().int().min(128).default(1024),
  })
  .strict();

export const RolloutConfig = z
  .object({
    /** Rollout worker processes the embedded default spawns. */
    workers: z.number().int().min(1).max(64).default(1),
    /** Samples decoded together (bounds generation memory; see engine generateGroup). */
    microBatch: z.number().int().min(1).default(8),
    /** Intra-op threads of each worker's engine; 0 = all cores. */
    threads: z.number().int().min(0).default(0),
    /** Engine device: auto (CUDA when built with it), cpu, cuda, cuda:N. */
    device: z.string().default('auto'),
    /** Weights dtype of the rollout engine. */
    dtype: z.enum(['auto', 'float32', 'bfloat16', 'float16']).default('auto'),
    agentic: AgenticConfig.default(() => AgenticConfig.parse({})),
    /** How rollout workers reach the learner's PolicyService (embedded: set by the learner). */
    policy: GrpcClientConfig.default({ address: '127.0.0.1:50051' }),
  })
  .strict();

export const RewardConfig = z
  .object({
    /** Reward workers the service asks, with roles and weights (see @datarus/reward). */
    workers: z.array(WorkerEntry).min(1).default([
      { name: 'structural', role: 'structure', weight: 1, transport: 'nats', encoding: 'protobuf', timeoutMs: 10_000, retries: 1 },
      { name: 'hrm', role: 'semantic', weight: 1, transport: 'nats', encoding: 'protobuf', timeoutMs: 10_000, retries: 1 },
    ]),
    /** Cosine curriculum between structure and substance (TRAJECTORY.md); totalSteps 0 = the run's steps. */
    curriculum: CurriculumConfig.default({ wStart: 0.7, wEnd: 0.1, totalSteps: 0 }),
    /** Processes serving the built-in workers (structural, hrm, verifier) that the embedded default spawns; 0 = none. */
    builtinWorkerProcesses: z.number().int().min(0).max(64).default(1),
    /** Trajectories scored at once by one reward service process. */
    concurrency: z.number().int().min(1).default(8),
  })
  .strict();

export const LearnerConfig = z
  .object({
    /** Learner engine device and dtype (see rollout). */
    device: z.string().default('auto'),
    dtype: z.enum(['auto', 'float32', 'bfloat16', 'float16']).default('auto'),
    /** Intra-op threads; 0 = all cores. */
    threads: z.number().int().min(0).default(0),
    /** Where the PolicyService listens (embedded: loopback, free port). */
    policyBind: z.string().default('127.0.0.1:0'),
    /** Server TLS of the PolicyService. */
    policyTls: TlsFiles.optional(),
    /** Policy versions kept servable (rollout workers a step behind still fetch theirs). */
    keepVersions: z.number().int().min(1).default(2),
    /** Checkpoints kept in the run directory (older ones are deleted). */
    keepCheckpoints: z.number().int().min(1).default(2),
    /**
     * Every N steps, each trained sample (task, text, reward with its components,
     * advantage, finish reason) is appended to completions.jsonl in the run directory,
     * to read what the policy writes; 0 = never.
     */
    logCompletions: z.number().int().min(0).default(1),
    /** Seconds without a scored group before the learner reports a stall (and keeps waiting). */
    stallWarningSeconds: z.number().int().min(1).default(120),
  })
  .strict();

export const RunConfig = z
  .object({
    /**
     * Run directory: config.json, metrics.jsonl, checkpoints/, report.html, logs/, nats/
     * (embedded). '' = a new runs/run-<date>-<time>. A directory that holds checkpoints
     * is resumed from its newest one.
     */
    runDir: z.string().default(''),
    /** Name of the run: prefix of group ids and JetStream consumer names. */
    runId: z.string().regex(/^[A-Za-z0-9_-]{1,48}$/).default('datarus'),
    /** GGUF file or Hugging Face directory of the initial policy. */
    model: z.string().min(1).default('models/SmolLM2-135M-Instruct.Q4_1.gguf'),
    /** Optimisation steps of RL. */
    steps: z.number().int().min(1).default(100),
    /** Bounded staleness: a group may be sampled by a policy at most this many versions behind the one it trains. */
    maxOffPolicySteps: z.number().int().min(0).default(1),
    tasks: TasksConfig.default(() => TasksConfig.parse({})),
    sampling: SamplingConfig.default(() => SamplingConfig.parse({})),
    grpo: GrpoConfig.default(() => GrpoConfig.parse({})),
    sft: SftConfig.default(() => SftConfig.parse({})),
    eval: EvalConfig.default(() => EvalConfig.parse({})),
    rollout: RolloutConfig.default(() => RolloutConfig.parse({})),
    reward: RewardConfig.default(() => RewardConfig.parse({})),
    learner: LearnerConfig.default(() => LearnerConfig.parse({})),
    /** NATS connection; no url = the embedded default (a local nats-server under runDir, loopback only). */
    nats: NatsConfig.optional(),
    streams: StreamsConfig.default(() => StreamsConfig.parse({})),
    consumer: ConsumerSettings.default(() => ConsumerSettings.parse({})),
    policy: PolicyServiceConfig.default(() => PolicyServiceConfig.parse({})),
  })
  .strict();

export type RunConfig = z.infer<typeof RunConfig>;
export type RunConfigInput = z.input<typeof RunConfig>;
export type TasksConfig = z.infer<typeof TasksConfig>;
export type RolloutConfig = z.infer<typeof RolloutConfig>;
export type AgenticConfig = z.infer<typeof AgenticConfig>;
export type RewardConfig = z.infer<typeof RewardConfig>;
export type LearnerConfig = z.infer<typeof LearnerConfig>;
export type SftConfig = z.infer<typeof SftConfig>;
export type EvalConfig = z.infer<typeof EvalConfig>;
