// Engine: the typed face of one model in the native addon — load, generate,
// log-probs, training steps, save, dispose. Arguments are validated here; native
// failures come back as DatarusError with the native code and the caller's stack.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatarusError, ErrorCode, isErrorCode } from '@datarus/contracts';
import { loadTokenizer, toTokenizerConfigJson, toTokenizerJson, type Tokenizer } from '@datarus/tokenizer';
import { Group, fromNativeSample, validateGroup, type GroupOptions, type GroupResult } from './group.js';
import type {
  DistributedOptions,
  GrpoBatch,
  GrpoStepOptions,
  GrpoStepStats,
  GroupAdvantagesResult,
  ReferenceShard,
} from './grpo-types.js';
import { loadNative } from './native-binding.js';
import type { NativeModel, NativeModelInfo, NativeTensor } from './native-types.js';
import {
  toIds,
  validateGenerate,
  validateOptimizer,
  type GenerateOptions,
  type LoadOptions,
  type OptimizerOptions,
} from './options.js';

export type ModelInfo = NativeModelInfo;
export type Tensor = NativeTensor;

export interface GenerateResult {
  tokens: number[];
  /** Behaviour log-prob of each new token under the distribution it was sampled from. */
  logprobs: number[];
  finishReason: 'stop' | 'length' | 'context';
  prefillSeconds: number;
  decodeSeconds: number;
}

export interface TrainBatch {
  /** Token sequences (prompt + completion). */
  sequences: ArrayLike<number>[];
  /** Per sequence, len − 1 weights: the weight of predicting token t+1 (0 on the prompt). */
  weights: ArrayLike<number>[];
}

export interface TrainStepResult {
  loss: number;
  tokens: number;
  gradNorm: number;
  lr: number;
  skipped: boolean;
  step: number;
}

/** Runs a native call, turning its rejection into a DatarusError raised here. */
async function native<T>(p: () => Promise<T>): Promise<T> {
  try {
    return await p();
  } catch (e) {
    throw wrapNativeError(e);
  }
}

function wrapNativeError(e: unknown): DatarusError {
  if (e instanceof DatarusError) return e;
  const code = (e as { code?: unknown })?.code;
  const message = e instanceof Error ? e.message : String(e);
  return new DatarusError(isErrorCode(code) ? code : ErrorCode.Internal, message, { cause: e });
}

const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'generation_config.json'];

export class Engine {
  private handle: NativeModel | undefined;
  readonly info: ModelInfo;

  private constructor(
    handle: NativeModel,
    readonly tokenizer: Tokenizer,
  ) {
    this.handle = handle;
    this.info = handle.info();
  }

  /** Loads a GGUF file or a Hugging Face directory, with its tokenizer. */
  static async load(path: string, options: LoadOptions = {}): Promise<Engine> {
    if (typeof path !== 'string' || path.length === 0) throw new DatarusError(ErrorCode.InvalidArgument, 'model path is empty');
    const addon = loadNative();
    const handle = await native(() => addon.load(path, { device: options.device ?? 'auto', dtype: options.dtype ?? 'auto' }));
    try {
      const tokenizer = await loadTokenizer(path);
      if (tokenizer.vocabSize > handle.info().vocabSize) {
        throw new DatarusError(
          ErrorCode.BadTokenizer,
          `${path}: tokenizer has ${tokenizer.vocabSize} tokens but the model only ${handle.info().vocabSize}`,
        );
      }
      return new Engine(handle, tokenizer);
    } catch (e) {
      handle.dispose();
      throw e;
    }
  }

  /** What the addon was built with (libtorch version, CUDA, threads). */
  static buildInfo(): { description: string; threads: number; cuda: boolean } {
    return loadNative().buildInfo();
  }

  private live(): NativeModel {
    if (!this.handle) throw new DatarusError(ErrorCode.Disposed, 'engine was disposed');
    return this.handle;
  }

  /** Generates one continuation of `prompt` (token ids). */
  async generate(prompt: ArrayLike<number>, options: GenerateOptions = {}): Promise<GenerateResult> {
    validateGenerate(options);
    const ids = toIds('prompt', prompt);
    if (ids.length === 0) throw new DatarusError(ErrorCode.InvalidArgument, 'prompt is empty');
    const stopIds = options.stopIds ?? (this.info.eosTokenId >= 0 ? [this.info.eosTokenId] : []);
    const h = this.live();
    const r = await native(() => h.generate(ids, { ...options, stopIds: Int32Array.from(stopIds) }));
    return {
      tokens: Array.from(r.tokens),
      logprobs: Array.from(r.logprobs),
      finishReason: r.finishReason,
      prefillSeconds: r.prefillSeconds,
      decodeSeconds: r.decodeSeconds,
    };
  }

  /**
   * GRPO sampling: for each prompt, one prefill shared by `groupSize` samples,
   * decoded in micro-batches. Rejects with E_ABORTED when `options.signal` aborts.
   */
  async generateGroup(prompts: ArrayLike<number>[], groupSize: number, options: GroupOptions = {}): Promise<GroupResult[]> {
    validateGroup(groupSize, options);
    const ids = prompts.map((p, i) => toIds(`prompts[${i}]`, p));
    for (const p of ids) if (p.length === 0) throw new DatarusError(ErrorCode.InvalidArgument, 'a prompt is empty');
    const h = this.live();
    return this.withSignal(options, (native) => h.generateGroup(ids, groupSize, native)).then((groups) =>
      groups.map((g) => ({ ...g, samples: g.samples.map(fromNativeSample) })),
    );
  }

  /**
   * Opens a resumable group: prefills `prompt` once; decode/append/close on the result.
   * `options.signal` cancels the prefill and every later decode or append of the group
   * (each rejects with E_ABORTED at its next token) until the group is closed.
   */
  async openGroup(prompt: ArrayLike<number>, groupSize: number, options: GroupOptions = {}): Promise<Group> {
    validateGroup(groupSize, options);
    const ids = toIds('prompt', prompt);
    if (ids.length === 0) throw new DatarusError(ErrorCode.InvalidArgument, 'prompt is empty');
    const h = this.live();
    const cancel = this.cancelFlag(options.signal);
    try {
      const handle = await native(() => h.openGroup(ids, groupSize, this.nativeGroupOptions(options, cancel.flag)));
      return new Group(handle, native, cancel.detach);
    } catch (e) {
      cancel.detach();
      throw e;
    }
  }

  /** Runs one group call with a cancel flag wired to `options.signal` for its duration. */
  private async withSignal<T>(options: GroupOptions, call: (native: Record<string, unknown>) => Promise<T>): Promise<T> {
    const cancel = this.cancelFlag(options.signal);
    try {
      return await native(() => call(this.nativeGroupOptions(options, cancel.flag)));
    } finally {
      cancel.detach();
    }
  }

  /** A native cancel flag set when `signal` aborts; detach() stops listening. */
  private cancelFlag(signal?: AbortSignal) {
    signal?.throwIfAborted?.();
    const flag = new (loadNative().CancelFlag)();
    const onAbort = () => flag.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    return { flag, detach: () => signal?.removeEventListener('abort', onAbort) };
  }

  /** The native options of a group call: everything but the signal, plus stop ids and the flag. */
  private nativeGroupOptions(options: GroupOptions, flag: unknown): Record<string, unknown> {
    if (options.stopStrings?.length) this.ensureTokenBytes();
    const { signal: _signal, ...rest } = options;
    const stopIds = options.stopIds ?? (this.info.eosTokenId >= 0 ? [this.info.eosTokenId] : []);
    return { ...rest, stopIds: Int32Array.from(stopIds), cancel: flag };
  }

  private tokenBytesSet = false;
  private ensureTokenBytes(): void {
    if (this.tokenBytesSet) return;
    const n = Math.min(this.tokenizer.vocabSize, this.info.vocabSize);
    const bytes: Uint8Array[] = [];
    for (let id = 0; id < n; id++) bytes.push(this.tokenizer.tokenToBytes(id));
    this.live().setTokenBytes(bytes);
    this.tokenBytesSet = true;
  }

  /** Renders a chat with the model's template (generation prompt appended) and tokenizes it. */
  chatPrompt(messages: { role: string; content: string }[]): number[] {
    const text = this.tokenizer.applyChatTemplate(messages, { addGenerationPrompt: true });
    return this.tokenizer.encode(text, { allowSpecial: true });
  }

  /** log p(s[t+1] | s[..t]) for each sequence: one Float32Array of length len − 1 each. */
  async logprobs(sequences: ArrayLike<number>[]): Promise<Float32Array[]> {
    const seqs = sequences.map((s, i) => toIds(`sequences[${i}]`, s));
    const h = this.live();
    return native(() => h.logprobs(seqs));
  }

  /** Full logits of one sequence, row-major [T, V] (inspection and parity tests; small models). */
  async logits(sequence: ArrayLike<number>): Promise<Float32Array> {
    const ids = toIds('sequence', sequence);
    const h = this.live();
    return native(() => h.logits(ids));
  }

  /**
   * Best GEMM rate (GFLOP/s) on this model's device and dtype at the shape of its MLP
   * projections for `rows` positions: the peak that MFU is measured against.
   */
  async matmulGflops(rows = 2048): Promise<number> {
    const h = this.live();
    return native(() => h.matmulGflops(rows));
  }

  /**
   * Accumulates gradients of the weighted NLL of `batch` (see TrainBatch), divided by
   * `normalizer` (default: the batch's total weight). With `gradientCheckpointing` the
   * decoder keeps each layer's input only and recomputes the layer in backward: the
   * same gradients for less activation memory.
   */
  async backward(
    batch: TrainBatch,
    normalizer?: number,
    options: { gradientCheckpointing?: boolean } = {},
  ): Promise<{ loss: number; tokens: number }> {
    const seqs = batch.sequences.map((s, i) => toIds(`sequences[${i}]`, s));
    const weights = batch.weights.map((w) => Float32Array.from(w as ArrayLike<number>));
    const h = this.live();
    return native(() => h.backward(seqs, weights, { normalizer, gradientCheckpointing: options.gradientCheckpointing }));
  }

  /** Clips, applies AdamW and clears gradients; a non-finite gradient skips the update. */
  async step(options: OptimizerOptions = {}): Promise<{ gradNorm: number; lr: number; skipped: boolean; step: number }> {
    validateOptimizer(options);
    const h = this.live();
    return native(() => h.step(options as Record<string, number>));
  }

  /** backward + step on one batch. */
  async trainStep(batch: TrainBatch, options: OptimizerOptions = {}): Promise<TrainStepResult> {
    validateOptimizer(options);
    const { loss, tokens } = await this.backward(batch);
    const s = await this.step(options);
    return { loss, tokens, ...s };
  }

  // ---- GRPO learner (native/core/grpo) ----

  /**
   * Group-relative advantages of N = groups × groupSize rewards laid out group by group
   * (NaN = missing: excluded from the statistics, advantage 0).
   */
  static groupAdvantages(
    rewards: ArrayLike<number>,
    groupSize: number,
    options: { scaleRewards?: 'group' | 'batch' | 'none'; eps?: number } = {},
  ): GroupAdvantagesResult {
    if (!Number.isInteger(groupSize) || groupSize < 1) throw new DatarusError(ErrorCode.InvalidArgument, 'groupSize must be a positive integer');
    if (rewards.length % groupSize !== 0) throw new DatarusError(ErrorCode.InvalidArgument, `${rewards.length} rewards do not split into groups of ${groupSize}`);
    try {
      return loadNative().groupAdvantages(Float32Array.from(rewards), groupSize, options);
    } catch (e) {
      throw wrapNativeError(e);
    }
  }

  /** One GRPO optimisation step: micro-batched backward, all-reduce (if distributed), clip, AdamW. */
  async grpoStep(batch: GrpoBatch, options: GrpoStepOptions = {}): Promise<GrpoStepStats> {
    const h = this.live();
    const b = grpoNativeBatch(batch);
    return native(() => h.grpoStep(b, { ...options })) as Promise<unknown> as Promise<GrpoStepStats>;
  }

  /** The GRPO loss's gradients accumulated into the model (no optimiser step). */
  async grpoBackward(batch: GrpoBatch, options: GrpoStepOptions = {}): Promise<GrpoStepStats> {
    const h = this.live();
    const b = grpoNativeBatch(batch);
    return native(() => h.grpoBackward(b, { ...options })) as Promise<unknown> as Promise<GrpoStepStats>;
  }

  /** Freezes a copy of the current weights as the reference model, split into `shards` layer ranges. */
  async createReference(options: { shards?: number; devices?: string[]; dtype?: string } = {}): Promise<ReferenceShard[]> {
    if (options.shards !== undefined && (!Number.isInteger(options.shards) || options.shards < 1 || options.shards > this.info.numLayers))
      throw new DatarusError(ErrorCode.InvalidArgument, `refShards must be an integer in [1, ${this.info.numLayers}]`);
    const h = this.live();
    return native(() => h.createReference(options)) as Promise<unknown> as Promise<ReferenceShard[]>;
  }

  /** Reference-model log-probs of each sequence (length len − 1 each). */
  async referenceLogprobs(sequences: ArrayLike<number>[]): Promise<Float32Array[]> {
    const seqs = sequences.map((s, i) => toIds(`sequences[${i}]`, s));
    const h = this.live();
    return native(() => h.referenceLogprobs(seqs));
  }

  /** Writes an atomic checkpoint: HF policy, optimiser moments, RNG state, step, config. */
  async saveCheckpoint(dir: string, meta: { step: number; config?: unknown }): Promise<void> {
    if (!Number.isInteger(meta.step) || meta.step < 0) throw new DatarusError(ErrorCode.InvalidArgument, 'step must be a non-negative integer');
    const h = this.live();
    await native(() => h.saveCheckpoint(dir, { step: meta.step, config: JSON.stringify(meta.config ?? {}) }));
  }

  /** Restores weights, optimiser state and RNG from a checkpoint; returns its step and config. */
  async loadCheckpoint(dir: string): Promise<{ step: number; config: unknown; optimizerStep: number }> {
    const h = this.live();
    const r = await native(() => h.loadCheckpoint(dir));
    return { step: r.step, config: JSON.parse(r.config) as unknown, optimizerStep: r.optimizerStep };
  }

  /** Joins a c10d process group (Gloo on CPU, NCCL on GPU); rank 0's weights are broadcast. */
  async initDistributed(options: DistributedOptions): Promise<{ rank: number; worldSize: number }> {
    if (!/^[^:]+:\d+$/.test(options.rendezvous)) throw new DatarusError(ErrorCode.InvalidArgument, 'rendezvous must be host:port');
    if (!Number.isInteger(options.worldSize) || options.worldSize < 1 || !Number.isInteger(options.rank) || options.rank < 0 || options.rank >= options.worldSize)
      throw new DatarusError(ErrorCode.InvalidArgument, 'rank must be an integer in [0, worldSize)');
    const h = this.live();
    return native(() => h.initDistributed({ ...options }));
  }

  zeroGrad(): void {
    this.live().zeroGrad();
  }

  parameterNames(): string[] {
    return this.live().parameterNames();
  }

  /**
   * A parameter's current value (fp32 copy). With `into` (a Float32Array of its
   * element count) the values are written there instead of a new array, which is
   * the returned data; another length is an E_INVALID_ARGUMENT.
   */
  parameter(name: string, into?: Float32Array): Tensor {
    return this.native(() => this.live().parameter(name, 'value', into))!;
  }

  /**
   * Overwrites parameters in place from fp32 values (e.g. a policy version fetched
   * from the learner). Each entry must match its parameter's element count; names
   * not in the model are an E_INVALID_ARGUMENT. Must not overlap a running operation
   * on this engine (it waits for one to finish).
   */
  setParameters(values: Iterable<{ name: string; data: Float32Array }>): void {
    const h = this.live();
    for (const { name, data } of values) this.native(() => h.setParameter(name, data));
  }

  /** A parameter's accumulated gradient, or null before any backward. */
  grad(name: string): Tensor | null {
    return this.native(() => this.live().parameter(name, 'grad'));
  }

  private native<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      throw wrapNativeError(e);
    }
  }

  /**
   * Saves a Hugging Face directory: config.json, model.safetensors (sharded with an
   * index above maxShardBytes) and tokenizer files, loadable by transformers.
   */
  async save(dir: string, options: { dtype?: 'model' | 'float32' | 'bfloat16' | 'float16'; maxShardBytes?: number } = {}): Promise<void> {
    const h = this.live();
    await mkdir(dir, { recursive: true });
    await native(() => h.save(dir, { dtype: options.dtype ?? 'model', maxShardBytes: options.maxShardBytes }));
    if (this.info.format === 'hf') {
      for (const f of TOKENIZER_FILES) {
        const src = join(this.info.path, f);
        if (existsSync(src) && src !== join(dir, f)) await copyFile(src, join(dir, f));
      }
    } else {
      const spec = this.tokenizer.spec;
      await writeFile(join(dir, 'tokenizer.json'), JSON.stringify(toTokenizerJson(spec)));
      await writeFile(join(dir, 'tokenizer_config.json'), JSON.stringify(toTokenizerConfigJson(spec, this.info.maxPositions), null, 2));
      const gen = { bos_token_id: this.info.bosTokenId, eos_token_id: this.info.eosTokenId };
      await writeFile(join(dir, 'generation_config.json'), JSON.stringify(gen, null, 2));
    }
  }

  /** Frees the native model now (idempotent). Later calls throw E_DISPOSED. */
  dispose(): void {
    this.handle?.dispose();
    this.handle = undefined;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.dispose();
  }
}

function grpoNativeBatch(batch: GrpoBatch): Record<string, unknown> {
  const n = batch.sequences.length;
  if (n === 0) throw new DatarusError(ErrorCode.InvalidArgument, 'the batch is empty');
  const rows = (name: string, r: ArrayLike<number>[] | undefined) => {
    if (r === undefined) return undefined;
    if (r.length !== n) throw new DatarusError(ErrorCode.InvalidArgument, `${name} must have one entry per sequence`);
    return r.map((x, i) => {
      if (x.length !== batch.sequences[i].length - 1)
        throw new DatarusError(ErrorCode.InvalidArgument, `${name}[${i}] has ${x.length} entries; expected ${batch.sequences[i].length - 1}`);
      return Float32Array.from(x);
    });
  };
  if (batch.advantages.length !== n) throw new DatarusError(ErrorCode.InvalidArgument, 'advantages must have one entry per sequence');
  return {
    sequences: batch.sequences.map((s, i) => toIds(`sequences[${i}]`, s)),
    masks: rows('masks', batch.masks),
    advantages: Float32Array.from(batch.advantages),
    oldLogprobs: rows('oldLogprobs', batch.oldLogprobs),
    refLogprobs: rows('refLogprobs', batch.refLogprobs),
  };
}
