// Keeps a rollout worker's engine on a policy version recent enough for the task
// (bounded staleness). The learner's PolicyService is the authority: the worker
// asks for the latest version before each group and, when it holds anything
// else (an older version, or the same number with another checksum after a
// learner restart), fetches and installs it. A task that needs a version the
// learner has not published yet waits for it, and so does a worker whose learner
// is unreachable (restarting): the task stays in progress, it is not failed.
import { DatarusError, ErrorCode, type PolicyVersion } from '@datarus/contracts';
import type { Engine } from '@datarus/engine';
import type { NamedTensor, PolicyClient } from '@datarus/transport';

export interface PolicySyncStats {
  fetches: number;
  bytes: number;
  fetchSeconds: number;
}

/** A tensor of the stream as fp32 values (the learner serves fp32). */
export function toFloat32(t: NamedTensor): Float32Array {
  if (t.dtype !== 'f32') throw new DatarusError(ErrorCode.Unsupported, `policy tensor ${t.name} has dtype ${t.dtype}; rollout workers load f32`);
  if (t.data.byteOffset % 4 === 0) return new Float32Array(t.data.buffer, t.data.byteOffset, t.data.byteLength / 4);
  return new Float32Array(t.data.slice().buffer);
}

export class PolicySync {
  private held: PolicyVersion | null = null;
  readonly stats: PolicySyncStats = { fetches: 0, bytes: 0, fetchSeconds: 0 };

  constructor(
    private readonly engine: Engine,
    private readonly client: PolicyClient,
    private readonly pollMs = 500,
    /** Told why the worker waits (no version yet, learner unreachable). */
    private readonly onWait?: (reason: string) => void,
  ) {}

  /** The version the engine holds, or null before the first fetch. */
  version(): PolicyVersion | null {
    return this.held;
  }

  /**
   * Makes the engine hold the learner's latest version, which must be at least
   * `minVersion` (waits until the learner publishes one). Returns the version held.
   */
  async ensure(minVersion: number, signal?: AbortSignal): Promise<PolicyVersion> {
    for (;;) {
      if (signal?.aborted) throw new DatarusError(ErrorCode.Aborted, 'policy sync aborted');
      const latest = await this.client.latest().catch((e: unknown) => {
        if (e instanceof DatarusError && (e.code === ErrorCode.VersionUnavailable || e.code === ErrorCode.TransportFailed)) {
          this.onWait?.(e.message);
          return null;
        }
        throw e;
      });
      if (latest && latest.version >= minVersion) {
        if (this.held?.version === latest.version && this.held.checksum === latest.checksum) return latest;
        await this.install(latest);
        return latest;
      }
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  private async install(v: PolicyVersion): Promise<void> {
    const t0 = performance.now();
    // Each tensor goes into the engine as soon as it has arrived, so that the worker
    // never holds a second copy of the weights. Until the stream is complete and its
    // checksum verified the engine holds no version: a failed fetch leaves it mixed,
    // and the next ensure() fetches again before anything is generated.
    this.held = null;
    await this.client.fetchWeights(v, {
      chunkBytes: 4 << 20, // the largest chunks the server sends: fewer messages to decode and copy
      onTensor: (t) => this.engine.setParameters([{ name: t.name, data: toFloat32(t) }]),
    });
    this.held = v;
    this.stats.fetches++;
    this.stats.bytes += Number(v.totalBytes);
    this.stats.fetchSeconds += (performance.now() - t0) / 1000;
  }
}
