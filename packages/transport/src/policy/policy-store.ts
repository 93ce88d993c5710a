// What a PolicyService serves: the latest PolicyVersion and, per version, its
// tensors in stream order. InMemoryPolicyStore keeps the last few versions (the
// learner publishes each new one; rollout workers a version or two behind can
// still fetch theirs).
import { DatarusError, ErrorCode, type PolicyVersion } from '@datarus/contracts';
import { describeWeights, type NamedTensor } from './weights-checksum.js';

export interface PolicySource {
  /** The newest version, or null before the first one. */
  latest(): PolicyVersion | null | Promise<PolicyVersion | null>;
  /** The tensors of `version` in stream order, or null when it is not served. */
  weights(version: number): Iterable<NamedTensor> | AsyncIterable<NamedTensor> | null | Promise<Iterable<NamedTensor> | AsyncIterable<NamedTensor> | null>;
}

export class InMemoryPolicyStore implements PolicySource {
  private readonly versions = new Map<number, { info: PolicyVersion; tensors: NamedTensor[] }>();
  private newest: PolicyVersion | null = null;

  /** `keep`: versions retained (the newest ones). */
  constructor(readonly keep = 2) {
    if (!Number.isInteger(keep) || keep < 1) throw new DatarusError(ErrorCode.InvalidArgument, `keep must be a positive integer, got ${keep}`);
  }

  /** Adds a version (above every earlier one); returns its description. The tensors are not copied. */
  publish(version: number, step: number, tensors: NamedTensor[]): PolicyVersion {
    if (this.newest && version <= this.newest.version) {
      throw new DatarusError(ErrorCode.InvalidArgument, `policy version ${version} is not above the latest ${this.newest.version}`);
    }
    const info = describeWeights(version, step, tensors);
    this.versions.set(version, { info, tensors });
    this.newest = info;
    for (const v of [...this.versions.keys()].sort((a, b) => a - b).slice(0, Math.max(0, this.versions.size - this.keep))) this.versions.delete(v);
    return info;
  }

  latest(): PolicyVersion | null {
    return this.newest;
  }

  weights(version: number): NamedTensor[] | null {
    return this.versions.get(version)?.tensors ?? null;
  }
}
