// Publishing the learner's policy to rollout workers: after each optimiser step
// the engine's parameters are copied out (fp32, the engine's names and order)
// into the PolicyService's store as the next version. The store keeps the last
// few versions, so a worker one step behind can still fetch the one it asked for.
// The next version is written into the copy of the version it replaces (when no
// stream reads that one), so that the learner holds `keepVersions` copies of the
// weights, not one more waiting for the garbage collector.
import type { Engine } from '@datarus/engine';
import { InMemoryPolicyStore, type NamedTensor } from '@datarus/transport';
import type { PolicyVersion } from '@datarus/contracts';

/** The f32 values of `t` in place, when it is the named parameter's copy of the right size; else null. */
function reusable(t: NamedTensor | undefined, name: string): Float32Array | null {
  if (!t || t.name !== name || t.dtype !== 'f32' || t.data.byteOffset % 4 !== 0 || t.data.byteLength % 4 !== 0) return null;
  return new Float32Array(t.data.buffer, t.data.byteOffset, t.data.byteLength / 4);
}

/**
 * The engine's parameters as f32 tensors in stream order, written into `reuse`
 * (an earlier result of this function) where its tensors fit, else into new arrays.
 */
export function policyTensors(engine: Engine, reuse: readonly NamedTensor[] | null = null): NamedTensor[] {
  return engine.parameterNames().map((name, i) => {
    // a parameter's size never changes within one engine, so a copy of it always fits
    const t = engine.parameter(name, reusable(reuse?.[i], name) ?? undefined);
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
    return this.store.publish(version, step, policyTensors(this.engine, this.store.takeRecyclable()));
  }
}
