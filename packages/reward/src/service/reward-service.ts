// The reward service: asks every configured worker for a score in parallel, each
// under its own timeout, and blends the answers with the curriculum weights of
// the request's step. A worker that throws, hangs or answers garbage is a
// missing score (reason + code), counted per worker and code; the service itself
// never fails a request because of a worker.
import type { NatsConnection } from 'nats';
import { DatarusError, ErrorCode, type BlendedScore, type ScoreRequest } from '@datarus/contracts';
import { curriculumWeights } from '../rules/curriculum.js';
import type { RewardWorker } from '../sdk/reward-worker.js';
import { builtinWorkers } from '../workers/builtin-workers.js';
import { blendScores, type WorkerOutcome } from './blend.js';
import { RewardServiceConfig, type WorkerEntry } from './reward-service-config.js';
import { grpcClient, localClient, natsClient, type WorkerClient } from './worker-clients.js';

export interface RewardServiceDeps {
  /** Needed when a worker uses transport nats. */
  nats?: NatsConnection;
  /** In-process workers by name (defaults: the built-ins). */
  localWorkers?: RewardWorker[];
}

/** Failures another attempt (another copy of the worker) may not repeat. */
const isTransient = (code: string | undefined) => code === ErrorCode.WorkerTimeout || code === ErrorCode.WorkerUnavailable;

export class RewardService {
  readonly config: RewardServiceConfig;
  private readonly clients: { entry: WorkerEntry; client: WorkerClient }[];
  /** worker → code → count of missing scores. */
  private readonly missingCounts = new Map<string, Map<string, number>>();
  private scored = 0;
  private retried = 0;

  constructor(config: Partial<RewardServiceConfig> | unknown, deps: RewardServiceDeps = {}) {
    const parsed = RewardServiceConfig.safeParse(config ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DatarusError(ErrorCode.InvalidArgument, `reward service config: ${issue.path.join('.')}: ${issue.message}`);
    }
    this.config = parsed.data;
    const locals = new Map((deps.localWorkers ?? builtinWorkers()).map((w) => [w.name, w]));
    this.clients = this.config.workers.map((entry) => {
      if (entry.transport === 'local') {
        const w = locals.get(entry.name);
        if (!w) throw new DatarusError(ErrorCode.InvalidArgument, `reward service config: no local worker named ${entry.name}`);
        return { entry, client: localClient(w) };
      }
      if (entry.transport === 'grpc') {
        if (!entry.address) throw new DatarusError(ErrorCode.InvalidArgument, `reward service config: worker ${entry.name} needs an address`);
        return { entry, client: grpcClient(entry.name, entry.address) };
      }
      if (!deps.nats) throw new DatarusError(ErrorCode.InvalidArgument, `reward service: worker ${entry.name} uses NATS but no connection was given`);
      return { entry, client: natsClient(entry.name, deps.nats, entry.encoding) };
    });
  }

  async score(request: ScoreRequest): Promise<BlendedScore> {
    const totalSteps = request.totalSteps > 0 ? request.totalSteps : this.config.curriculum.totalSteps;
    const weights = curriculumWeights(request.step, { ...this.config.curriculum, totalSteps });
    const outcomes = await Promise.all(
      this.clients.map(async ({ entry, client }): Promise<WorkerOutcome> => {
        let r = await client.score(request, entry.timeoutMs);
        for (let attempt = 0; attempt < entry.retries && r.result !== 'score' && isTransient(r.noScore?.code); attempt++) {
          this.retried++;
          r = await client.score(request, entry.timeoutMs);
        }
        if (r.result === 'score' && r.score !== undefined) {
          return { worker: entry.name, role: entry.role, weight: entry.weight, score: r.score, components: r.components };
        }
        const noScore = r.noScore ?? { reason: 'no score', code: ErrorCode.WorkerFailed };
        this.count(entry.name, noScore.code);
        return { worker: entry.name, role: entry.role, weight: entry.weight, score: null, components: [], noScore };
      }),
    );
    this.scored++;
    return blendScores(outcomes, weights, request.step);
  }

  private count(worker: string, code: string) {
    const m = this.missingCounts.get(worker) ?? new Map<string, number>();
    m.set(code, (m.get(code) ?? 0) + 1);
    this.missingCounts.set(worker, m);
  }

  /** Requests scored, and missing scores per worker and code. */
  stats(): { scored: number; retried: number; missing: Record<string, Record<string, number>> } {
    const missing: Record<string, Record<string, number>> = {};
    for (const [w, m] of this.missingCounts) missing[w] = Object.fromEntries(m);
    return { scored: this.scored, retried: this.retried, missing };
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map(({ client }) => client.close?.()));
  }
}
