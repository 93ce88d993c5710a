// The raw surface of the native addon. Internal: callers use Engine, which
// validates arguments and converts errors; these handles never leave this package.

export interface NativeModelInfo {
  modelType: string;
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  maxPositions: number;
  ropeTheta: number;
  rmsNormEps: number;
  attentionBias: boolean;
  tieEmbeddings: boolean;
  bosTokenId: number;
  eosTokenId: number;
  parameterCount: number;
  format: 'gguf' | 'hf';
  path: string;
  device: string;
  dtype: string;
  optimizerStep: number;
}

export interface NativeGenerateResult {
  tokens: Int32Array;
  logprobs: Float32Array;
  finishReason: 'stop' | 'length' | 'context';
  prefillSeconds: number;
  decodeSeconds: number;
}

export interface NativeStepStats {
  gradNorm: number;
  lr: number;
  skipped: boolean;
  step: number;
}

export interface NativeTensor {
  shape: number[];
  data: Float32Array;
}

export interface NativeGroupSample {
  tokens: Int32Array;
  logprobs: Float32Array;
  policyMask: Uint8Array;
  finishReason: 'stop' | 'length' | 'context' | '';
}

export interface NativeGroupResult {
  samples: NativeGroupSample[];
  promptTokens: number;
  prefillSeconds: number;
  decodeSeconds: number;
}

export interface NativeGroup {
  decode(indices?: Int32Array): Promise<NativeGroupSample[]>;
  append(index: number, tokens: Int32Array): Promise<void>;
  samples(): NativeGroupSample[];
  stats(): { prefillSeconds: number; decodeSeconds: number; decodedTokens: number; cacheBytes: number; promptTokens: number };
  close(): void;
}

export interface NativeCancelFlag {
  cancel(): void;
}

export interface NativeModel {
  generateGroup(prompts: Int32Array[], groupSize: number, options: Record<string, unknown>): Promise<NativeGroupResult[]>;
  openGroup(prompt: Int32Array, groupSize: number, options: Record<string, unknown>): Promise<NativeGroup>;
  setTokenBytes(bytes: Uint8Array[]): void;
  info(): NativeModelInfo;
  generate(prompt: Int32Array, options: Record<string, unknown>): Promise<NativeGenerateResult>;
  logprobs(sequences: Int32Array[]): Promise<Float32Array[]>;
  logits(sequence: Int32Array): Promise<Float32Array>;
  matmulGflops(rows: number): Promise<number>;
  backward(sequences: Int32Array[], weights: Float32Array[], options: { normalizer?: number; gradientCheckpointing?: boolean }): Promise<{ loss: number; tokens: number }>;
  step(options: Record<string, number>): Promise<NativeStepStats>;
  zeroGrad(): void;
  save(dir: string, options: { dtype?: string; maxShardBytes?: number }): Promise<void>;
  parameterNames(): string[];
  parameter(name: string, which?: 'value' | 'grad', into?: Float32Array): NativeTensor | null;
  setParameter(name: string, data: Float32Array): void;
  grpoStep(batch: Record<string, unknown>, options: Record<string, unknown>): Promise<Record<string, number | boolean>>;
  grpoBackward(batch: Record<string, unknown>, options: Record<string, unknown>): Promise<Record<string, number | boolean>>;
  createReference(options: { shards?: number; devices?: string[]; dtype?: string }): Promise<Record<string, unknown>[]>;
  referenceLogprobs(sequences: Int32Array[]): Promise<Float32Array[]>;
  saveCheckpoint(dir: string, meta: { step: number; config: string }): Promise<void>;
  loadCheckpoint(dir: string): Promise<{ step: number; config: string; optimizerStep: number }>;
  initDistributed(options: Record<string, unknown>): Promise<{ rank: number; worldSize: number }>;
  dispose(): void;
}

export interface NativeAddon {
  groupAdvantages(
    rewards: Float32Array,
    groupSize: number,
    options: { scaleRewards?: string; eps?: number },
  ): { advantages: Float32Array; groupMean: Float32Array; groupStd: Float32Array; zeroStdGroups: number; missing: number };
  load(path: string, options: { device?: string; dtype?: string }): Promise<NativeModel>;
  CancelFlag: new () => NativeCancelFlag;
  buildInfo(): { description: string; threads: number; cuda: boolean };
}
