// Publishing the learner's policy to rollout workers: after each optimiser step
// the engine's parameters are copied out (fp32, the engine's names and order)
// into the PolicyService's store as the next version. The store keeps the last
// few versions, so a worker one step behind can still fetch the one it asked for.
import type { Engine } from '@datarus/engine';
import { InMemoryPolicyStore, type NamedTensor } from '@datarus/transport';
import type { PolicyVersion } from '@datarus/contracts';

/** The engine's parameters as f32 tensors in stream order. */
export function policyTensors(engine: Engine): NamedTensor[] {
  return engine.parameterNames().map((name) => {
    const t = engine.parameter(name);
    return { name, dtype: 'f32', shape: t.shape, data: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) };
  });
}

export class PolicyPublisher {
  readonly store: InMemoryPolicyStore;

  constructor(
    private readonly engine: Engine,
    keepVersions: number,
  ) {
    this.store = new InMemoryPolicyStore(keepVersions);
  }

  /** Publishes the engine's current weights as `version` (made by optimiser step `step`). */
  publish(version: number, step: number): PolicyVersion {
    return this.store.publish(version, step, policyTensors(this.engine));
  }
}
