// The rollout worker's work on one RolloutRequest: hold a policy version recent
// enough for it, pose the task, sample the group, and return the RolloutGroup to
// publish. Pure of NATS: main.ts feeds it from the TASKS stream and publishes
// what it returns (then acks the task), so a worker killed mid-group leaves the
// task unacked and JetStream gives it to another worker.
import { DatarusError, ErrorCode, Mode, type RolloutGroup, type RolloutRequest } from '@datarus/contracts';
import { poseTask } from '@datarus/datagen';
import { processMemory, type Engine } from '@datarus/engine';
import type { PolicySync } from './policy-sync.js';
import { reflectionSamples, type SampledGroup } from './rollout-samples.js';

/** This process's peak resident bytes as the wire's uint64 string ('0' when unknown). */
function peakRssWireBytes(): string {
  const peak = processMemory().peakRssBytes;
  return Number.isFinite(peak) ? String(peak) : '0';
}

export interface RolloutWorkerOptions {
  /** Id stamped on each group (host:pid by default). */
  workerId: string;
  microBatch: number;
  /** Agentic sampling (the tool loop); absent = agentic requests are refused with E_UNSUPPORTED. */
  agentic?: (engine: Engine, prompt: number[], request: RolloutRequest, signal?: AbortSignal) => Promise<SampledGroup>;
}

export class RolloutWorker {
  groups = 0;

  constructor(
    private readonly engine: Engine,
    private readonly policy: PolicySync,
    private readonly options: RolloutWorkerOptions,
  ) {}

  async handle(request: RolloutRequest, signal?: AbortSignal): Promise<RolloutGroup> {
    if (!request.task) throw new DatarusError(ErrorCode.BadMessage, `request ${request.groupId} has no task`);
    const startedUnixMs = Date.now();
    const t0 = performance.now();
    const version = await this.policy.ensure(request.minPolicyVersion, signal);
    const weightsMs = performance.now() - t0;
    const mode = request.mode === Mode.MODE_AGENTIC ? Mode.MODE_AGENTIC : Mode.MODE_REFLECTION;
    // prompt: [P] token ids, chat template applied, ending with the assistant turn's header.
    const prompt = this.engine.chatPrompt(poseTask(request.task, mode));
    let sampled: SampledGroup;
    if (mode === Mode.MODE_AGENTIC) {
      if (!this.options.agentic) throw new DatarusError(ErrorCode.BadMessage, `request ${request.groupId}: this worker has no agentic harness`);
      sampled = await this.options.agentic(this.engine, prompt, request, signal);
    } else {
      sampled = await reflectionSamples(this.engine, prompt, request, { microBatch: this.options.microBatch, signal });
    }
    this.groups++;
    return {
      groupId: request.groupId,
      taskId: request.task.id,
      policyVersion: version.version,
      mode,
      promptTokenIds: prompt,
      samples: sampled.samples,
      timing: {
        startedUnixMs: String(startedUnixMs),
        weightsMs,
        prefillMs: sampled.prefillSeconds * 1000,
        decodeMs: sampled.decodeSeconds * 1000,
        toolMs: sampled.toolSeconds * 1000,
        totalMs: performance.now() - t0,
      },
      task: request.task,
      worker: this.options.workerId,
      seed: request.seed,
      step: request.step,
      workerPeakRssBytes: peakRssWireBytes(),
    };
  }
}
