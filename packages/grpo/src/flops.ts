// Model FLOPs and MFU, the way PaLM (Chowdhury et al. 2022, appendix B) counts them:
// a forward pass costs 2·N FLOPs per token for N non-embedding-lookup parameters
// (the output projection counts, the embedding lookup does not) plus attention
// 2·L·T·d_attn per token (QKᵀ and PV, causal halves not subtracted); backward is twice
// the forward. A GRPO step = policy forward + backward (3×) + reference forward (1×,
// when beta > 0). MFU = model FLOPs per second / peak FLOPs per second, where "peak" is
// what the caller measured (e.g. the matmul rate of the same machine in the same run).

export interface ModelShape {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  tieEmbeddings: boolean;
}

/** Parameters in matmuls (layers + output projection), per token of a forward pass / 2. */
export function matmulParameters(m: ModelShape): number {
  const H = m.hiddenSize, q = m.numHeads * m.headDim, kv = m.numKvHeads * m.headDim;
  const perLayer = H * q + 2 * H * kv + q * H + 3 * H * m.intermediateSize;
  return m.numLayers * perLayer + m.vocabSize * H;
}

/** Forward FLOPs of `tokens` positions in sequences of length `seqLen`. */
export function forwardFlops(m: ModelShape, tokens: number, seqLen: number): number {
  const attention = 2 * 2 * m.numLayers * seqLen * m.numHeads * m.headDim; // QKᵀ + PV per token
  return tokens * (2 * matmulParameters(m) + attention);
}

/** Model FLOPs of one GRPO optimisation step. */
export function grpoStepFlops(m: ModelShape, tokens: number, seqLen: number, withReference: boolean): number {
  const f = forwardFlops(m, tokens, seqLen);
  return 3 * f + (withReference ? f : 0);
}

export function mfu(flops: number, seconds: number, peakFlopsPerSecond: number): number {
  if (!(seconds > 0) || !(peakFlopsPerSecond > 0)) return 0;
  return flops / seconds / peakFlopsPerSecond;
}
