// Sampling the G completions of one request, as the wire carries them. Reflection
// mode is one generateGroup call (prompt prefilled once, samples decoded in
// micro-batches) stopped at </answer>; agentic mode runs the tool loop of
// ./agentic. Either way a sample is its completion tokens, the behaviour log-prob
// of each, a loss mask (false on observation tokens the harness appended), the
// decoded text the reward workers score, and why it ended.
import { FinishReason, Mode, type RolloutRequest, type RolloutSample } from '@datarus/contracts';
import { STOP_STRINGS } from '@datarus/datagen';
import type { Engine, GroupSample } from '@datarus/engine';

export interface SampledGroup {
  samples: RolloutSample[];
  prefillSeconds: number;
  decodeSeconds: number;
  toolSeconds: number;
}

export interface SampleOptions {
  microBatch: number;
  signal?: AbortSignal;
}

/** Per-sample seeds from the request's 64-bit seed (engine seeds are below 2^53). */
export function sampleSeeds(seed: string | number | bigint, groupSize: number): number[] {
  const base = Number(BigInt(seed) % (1n << 48n));
  return Array.from({ length: groupSize }, (_, i) => base + i);
}

const finishReasonOf: Record<GroupSample['finishReason'], FinishReason> = {
  stop: FinishReason.FINISH_REASON_STOP,
  length: FinishReason.FINISH_REASON_LENGTH,
  context: FinishReason.FINISH_REASON_LENGTH,
  '': FinishReason.FINISH_REASON_UNSPECIFIED,
};

/** The text reward workers see: the completion without a trailing end-of-sequence token. */
export function completionText(engine: Engine, tokens: readonly number[]): string {
  const end = tokens.length > 0 && tokens[tokens.length - 1] === engine.info.eosTokenId ? tokens.length - 1 : tokens.length;
  return engine.tokenizer.decode(tokens.slice(0, end));
}

/** Reflection mode: `[P]` prompt ids → G samples. */
export async function reflectionSamples(engine: Engine, prompt: number[], request: RolloutRequest, options: SampleOptions): Promise<SampledGroup> {
  const s = request.sampling;
  const [result] = await engine.generateGroup([prompt], request.groupSize, {
    temperature: s?.temperature ?? 1,
    topP: s?.topP && s.topP > 0 ? s.topP : 1,
    topK: s?.topK ?? 0,
    maxNewTokens: s?.maxNewTokens || 256,
    stopStrings: s?.stop.length ? s.stop : STOP_STRINGS[Mode.MODE_REFLECTION],
    seeds: sampleSeeds(request.seed, request.groupSize),
    microBatch: options.microBatch,
    signal: options.signal,
  });
  const samples = result.samples.map((x) => ({
    completionTokenIds: x.tokens,
    behaviourLogprobs: x.logprobs.map((lp, i) => (x.policyMask[i] ? lp : 0)),
    lossMask: x.policyMask.map((m) => m === 1),
    finishReason: finishReasonOf[x.finishReason],
    completionText: completionText(engine, x.tokens),
    observationSpans: [],
  }));
  return { samples, prefillSeconds: result.prefillSeconds, decodeSeconds: result.decodeSeconds, toolSeconds: 0 };
}
