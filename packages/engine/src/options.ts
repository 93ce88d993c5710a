// Typed options of the engine API, with their defaults, and their validation.
// Every check runs in TypeScript before any native work starts; a bad value is
// a DatarusError(E_INVALID_ARGUMENT) that names the option.
import { DatarusError, ErrorCode } from '@datarus/contracts';

export interface LoadOptions {
  /** 'auto' picks CUDA when the addon was built with it, else the CPU. Default 'auto'. */
  device?: string;
  /** 'auto' = bfloat16 on CUDA, float32 on CPU. Default 'auto'. */
  dtype?: 'auto' | 'float32' | 'bfloat16' | 'float16';
}

export interface SamplingOptions {
  /** Softmax temperature; 0 = greedy. Default 1. */
  temperature?: number;
  /** Nucleus mass in (0, 1]. Default 1 (off). */
  topP?: number;
  /** Keep only the k most likely tokens; 0 = off. Default 0. */
  topK?: number;
  /** Seed of the sampler; the same seed repeats the same sample. Default 0. */
  seed?: number;
}

export interface GenerateOptions extends SamplingOptions {
  /** New tokens at most. Default 128. */
  maxNewTokens?: number;
  /** Generation ends after emitting one of these ids. Default: the model's EOS. */
  stopIds?: number[];
}

export interface OptimizerOptions {
  /** Peak learning rate. Default 1e-5. */
  lr?: number;
  /** AdamW β1, β2, ε. Defaults 0.9, 0.999, 1e-8. */
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay on matrices. Default 0. */
  weightDecay?: number;
  /** Global gradient-norm clip; 0 disables. Default 1. */
  maxGradNorm?: number;
  /** Linear warm-up steps, then cosine decay until totalSteps (0 = constant). */
  warmupSteps?: number;
  totalSteps?: number;
  /** Final LR as a fraction of lr. Default 0. */
  minLrRatio?: number;
}

function invalid(message: string): DatarusError {
  return new DatarusError(ErrorCode.InvalidArgument, message);
}

export function checkNumber(name: string, v: unknown, ok: (x: number) => boolean, rule: string): void {
  if (v === undefined) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw invalid(`${name} must be ${rule}, got ${String(v)}`);
}

const isInt = (x: number) => Number.isInteger(x);

export function validateGenerate(o: GenerateOptions): void {
  checkNumber('maxNewTokens', o.maxNewTokens, (x) => isInt(x) && x >= 0, 'an integer >= 0');
  checkNumber('temperature', o.temperature, (x) => x >= 0, '>= 0');
  checkNumber('topP', o.topP, (x) => x > 0 && x <= 1, 'in (0, 1]');
  checkNumber('topK', o.topK, (x) => isInt(x) && x >= 0, 'an integer >= 0');
  checkNumber('seed', o.seed, (x) => isInt(x) && x >= 0 && x <= Number.MAX_SAFE_INTEGER, 'a non-negative integer');
  if (o.stopIds !== undefined && (!Array.isArray(o.stopIds) || !o.stopIds.every((x) => Number.isInteger(x)))) {
    throw invalid('stopIds must be an array of integers');
  }
}

export function validateOptimizer(o: OptimizerOptions): void {
  checkNumber('lr', o.lr, (x) => x >= 0, '>= 0');
  checkNumber('beta1', o.beta1, (x) => x >= 0 && x < 1, 'in [0, 1)');
  checkNumber('beta2', o.beta2, (x) => x >= 0 && x < 1, 'in [0, 1)');
  checkNumber('eps', o.eps, (x) => x > 0, '> 0');
  checkNumber('weightDecay', o.weightDecay, (x) => x >= 0, '>= 0');
  checkNumber('maxGradNorm', o.maxGradNorm, (x) => x >= 0, '>= 0');
  checkNumber('warmupSteps', o.warmupSteps, (x) => isInt(x) && x >= 0, 'an integer >= 0');
  checkNumber('totalSteps', o.totalSteps, (x) => isInt(x) && x >= 0, 'an integer >= 0');
  checkNumber('minLrRatio', o.minLrRatio, (x) => x >= 0 && x <= 1, 'in [0, 1]');
}

/** Token ids as an Int32Array, checked to be integers (range is checked natively). */
export function toIds(name: string, ids: ArrayLike<number>): Int32Array {
  const out = Int32Array.from(ids as ArrayLike<number>);
  for (let i = 0; i < ids.length; i++) {
    if (!Number.isInteger(ids[i]) || ids[i] !== out[i]) throw invalid(`${name}[${i}] is not a 32-bit integer token id`);
  }
  return out;
}
