// Agentic mode for the rollout worker: the request's sampling settings and the run's
// agentic limits into the episode runner of ./agentic, and its samples into wire
// RolloutSamples (observation tokens masked out, their character spans kept).
import { FinishReason, type RolloutRequest, type RolloutSample } from '@datarus/contracts';
import type { AgenticConfig } from '@datarus/config';
import type { Engine } from '@datarus/engine';
import { runAgenticGroup, type AgenticFinishReason } from './agentic/index.js';
import { sampleSeeds, type SampledGroup } from './rollout-samples.js';

const finishReasonOf: Record<AgenticFinishReason, FinishReason> = {
  stop: FinishReason.FINISH_REASON_STOP,
  length: FinishReason.FINISH_REASON_LENGTH,
  tool_limit: FinishReason.FINISH_REASON_TOOL_LIMIT,
  error: FinishReason.FINISH_REASON_ERROR,
};

export function agenticSampler(limits: AgenticConfig, microBatch: number) {
  return async (engine: Engine, prompt: number[], request: RolloutRequest, signal?: AbortSignal): Promise<SampledGroup> => {
    const s = request.sampling;
    const t0 = performance.now();
    const samples = await runAgenticGroup(
      engine,
      prompt,
      request.groupSize,
      {
        ...limits,
        maxTotalTokens: Math.min(limits.maxTotalTokens, s?.maxNewTokens || limits.maxTotalTokens),
        temperature: s?.temperature ?? 1,
        topP: s?.topP && s.topP > 0 ? s.topP : 1,
        topK: s?.topK ?? 0,
        seed: sampleSeeds(request.seed, 1)[0],
        microBatch,
        signal,
      },
      request.task?.files ?? [],
    );
    const toolSeconds = samples.reduce((a, x) => a + x.toolSeconds, 0);
    const wire: RolloutSample[] = samples.map((x) => ({
      completionTokenIds: x.tokens,
      behaviourLogprobs: x.logprobs.map((lp, i) => (x.policyMask[i] ? lp : 0)),
      lossMask: x.policyMask.map((m) => m === 1),
      finishReason: finishReasonOf[x.finishReason],
      completionText: x.text,
      observationSpans: x.observationSpans.map((sp) => ({ start: sp.start, end: sp.end })),
    }));
    const total = (performance.now() - t0) / 1000;
    return { samples: wire, prefillSeconds: 0, decodeSeconds: Math.max(0, total - toolSeconds), toolSeconds };
  };
}
