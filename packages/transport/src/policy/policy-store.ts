// What a PolicyService serves: the latest PolicyVersion and, per version, its
// tensors in stream order. InMemoryPolicyStore keeps the last few versions (the
// learner publishes each new one; rollout workers a version or two behind can
// still fetch theirs).
//
// A version's tensors are a full copy of the weights. So that a publisher need not
// allocate a new copy for every version (and hold the dropped one until the
// garbage collector frees it), the store hands back the tensors of the version
// that the next publish would drop, when no stream reads them, to be overwritten
// with the next version's values.
import { DatarusError, ErrorCode, type PolicyVersion } from '@datarus/contracts';
import { describeWeights, type NamedTensor } from './weights-checksum.js';

export interface PolicySource {
  /** The newest version, or null before the first one. */
  latest(): PolicyVersion | null | Promise<PolicyVersion | null>;
  /** The tensors of `version` in stream order, or null when it is not served. */
  weights(version: number): Iterable<NamedTensor> | AsyncIterable<NamedTensor> | null | Promise<Iterable<NamedTensor> | AsyncIterable<NamedTensor> | null>;
  /** Called once for every weights() call that returned tensors, when the stream reading them has ended (done, failed or cancelled). */
  release?(version: number): void;
}

export class InMemoryPolicyStore implements PolicySource {
  private readonly versions = new Map<number, { info: PolicyVersion; tensors: NamedTensor[] }>();
  private readonly readers = new Map<number, number>(); // streams reading each version now
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
    const entry = this.versions.get(version);
    if (!entry) return null;
    this.readers.set(version, (this.readers.get(version) ?? 0) + 1);
    return entry.tensors;
  }

  release(version: number): void {
    const n = (this.readers.get(version) ?? 0) - 1;
    if (n > 0) this.readers.set(version, n);
    else this.readers.delete(version);
  }

  /**
   * The tensors of the version that the next publish would drop (the oldest, when
   * `keep` are served), removed from the store now, for the caller to overwrite and
   * publish as the next version. Null when no version is due to go, or a stream still
   * reads that one (it is then dropped by publish as usual, and freed once read).
   */
  takeRecyclable(): NamedTensor[] | null {
    if (this.versions.size < this.keep) return null;
    const oldest = Math.min(...this.versions.keys());
    if (this.readers.has(oldest)) return null;
    const { tensors } = this.versions.get(oldest)!;
    this.versions.delete(oldest);
    return tensors;
  }
}
