// Group generation for GRPO: G samples of one prompt from a single prefill whose
// KV cache all samples share, decoded in micro-batches of at most `microBatch`
// sequences (peak memory follows the micro-batch, not G). `Group` is the resumable
// form: append tokens the model did not write (an observation in agentic mode) to
// one sample and continue it without re-running anything before them.
import { DatarusError, ErrorCode } from '@datarus/contracts';
import type { NativeGroup, NativeGroupSample } from './native-types.js';
import { checkNumber, toIds, validateGenerate, type SamplingOptions } from './options.js';

export interface GroupOptions extends SamplingOptions {
  /** New tokens per sample (per decode call). Default 256. */
  maxNewTokens?: number;
  /** Sequences decoded together; bounds peak memory. Default 8. */
  microBatch?: number;
  /** One seed per sample; default seed + sample index. */
  seeds?: number[];
  /** Stop after emitting one of these ids. Default: the model's EOS. */
  stopIds?: number[];
  /** Stop once the decoded text contains one of these (matched across token boundaries). */
  stopStrings?: string[];
  /** Cancels the work; the promise rejects with E_ABORTED and memory is freed. */
  signal?: AbortSignal;
}

export interface GroupSample {
  /** Tokens after the prompt: generated ones and appended ones. */
  tokens: number[];
  /** Behaviour log-prob of each token under the distribution sampled from (0 where appended). */
  logprobs: number[];
  /** 1 where the policy wrote the token, 0 where it was appended. */
  policyMask: number[];
  finishReason: 'stop' | 'length' | 'context' | '';
}

export interface GroupResult {
  samples: GroupSample[];
  promptTokens: number;
  prefillSeconds: number;
  decodeSeconds: number;
}

export function validateGroup(groupSize: number, o: GroupOptions): void {
  validateGenerate(o);
  checkNumber('groupSize', groupSize, (x) => Number.isInteger(x) && x >= 1, 'an integer >= 1');
  checkNumber('microBatch', o.microBatch, (x) => Number.isInteger(x) && x >= 1, 'an integer >= 1');
  if (o.seeds !== undefined && o.seeds.length !== groupSize) {
    throw new DatarusError(ErrorCode.InvalidArgument, `seeds must have one entry per sample (${groupSize})`);
  }
  for (const s of o.stopStrings ?? []) {
    if (typeof s !== 'string' || s.length === 0) throw new DatarusError(ErrorCode.InvalidArgument, 'a stop string is empty');
  }
}

export function fromNativeSample(s: NativeGroupSample): GroupSample {
  return {
    tokens: Array.from(s.tokens),
    logprobs: Array.from(s.logprobs),
    policyMask: Array.from(s.policyMask),
    finishReason: s.finishReason,
  };
}

/** A resumable group session (see Engine.openGroup). Close it to free its caches. */
export class Group {
  constructor(
    private handle: NativeGroup | undefined,
    private readonly run: <T>(p: () => Promise<T>) => Promise<T>,
    /** Stops listening to the open call's AbortSignal (called on close). */
    private readonly detach: () => void = () => {},
  ) {}

  private live(): NativeGroup {
    if (!this.handle) throw new DatarusError(ErrorCode.Disposed, 'group was closed');
    return this.handle;
  }

  /** Continues the listed samples (all by default) until each stops. */
  async decode(indices?: number[]): Promise<GroupSample[]> {
    const h = this.live();
    const which = indices === undefined ? undefined : toIds('indices', indices);
    return (await this.run(() => h.decode(which))).map(fromNativeSample);
  }

  /** Appends tokens the model did not write to sample `index` (masked out of the loss). */
  async append(index: number, tokens: ArrayLike<number>): Promise<void> {
    const h = this.live();
    const ids = toIds('tokens', tokens);
    await this.run(() => h.append(index, ids));
  }

  samples(): GroupSample[] {
    return this.live().samples().map(fromNativeSample);
  }

  stats(): { prefillSeconds: number; decodeSeconds: number; decodedTokens: number; cacheBytes: number; promptTokens: number } {
    return this.live().stats();
  }

  close(): void {
    this.handle?.close();
    this.handle = undefined;
    this.detach();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}
