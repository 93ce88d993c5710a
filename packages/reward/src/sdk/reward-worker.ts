// A reward worker is a name and a function from a ScoreRequest to a score. The
// function may return a number in [0, 1], `{ score, components }`, or
// `{ noScore: reason }`, sync or async. runRewardWorker turns whatever happens
// (a throw, NaN, a score outside [0, 1], a non-object) into a well-formed
// ScoreResponse, so a buggy scorer never takes its server down.
import { ErrorCode, type ScoreRequest, type ScoreResponse, type SubScore } from '@datarus/contracts';
import { assertWorkerName } from '../subjects.js';

export type ScoreResult =
  | number
  | { score: number; components?: Record<string, number> | SubScore[] }
  | { noScore: string; code?: string };

export type ScoreFn = (request: ScoreRequest) => ScoreResult | Promise<ScoreResult>;

export interface RewardWorker {
  name: string;
  score: ScoreFn;
}

export function defineRewardWorker(name: string, score: ScoreFn): RewardWorker {
  return { name: assertWorkerName(name), score };
}

export const noScoreResponse = (worker: string, code: string, reason: string): ScoreResponse => ({
  noScore: { code, reason: reason.slice(0, 500) },
  result: 'noScore',
  components: [],
  worker,
});

const inUnit = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0 && x <= 1;

/** Checks a result (from a local function or off the wire) against the contract. */
export function toScoreResponse(worker: string, result: unknown): ScoreResponse {
  if (inUnit(result)) return { score: result, result: 'score', components: [], worker };
  if (result && typeof result === 'object') {
    const r = result as Record<string, unknown>;
    if (typeof r.noScore === 'string') return noScoreResponse(worker, typeof r.code === 'string' ? r.code : ErrorCode.WorkerFailed, r.noScore);
    if (inUnit(r.score)) {
      const raw = r.components ?? [];
      const list: unknown[] = Array.isArray(raw) ? raw : typeof raw === 'object' ? Object.entries(raw as object).map(([name, value]) => ({ name, value })) : [null];
      const components: SubScore[] = [];
      for (const c of list) {
        const { name, value } = (c ?? {}) as { name?: unknown; value?: unknown };
        if (typeof name !== 'string' || typeof value !== 'number' || !Number.isFinite(value)) {
          return noScoreResponse(worker, ErrorCode.BadMessage, `malformed component ${JSON.stringify(c)?.slice(0, 80)}`);
        }
        components.push({ name, value });
      }
      return { score: r.score, result: 'score', components, worker };
    }
  }
  let shown: string;
  try {
    shown = JSON.stringify(result)?.slice(0, 80) ?? String(result);
  } catch {
    shown = String(result);
  }
  return noScoreResponse(worker, ErrorCode.BadMessage, `score out of contract: ${shown}`);
}

export async function runRewardWorker(worker: RewardWorker, request: ScoreRequest): Promise<ScoreResponse> {
  try {
    return toScoreResponse(worker.name, await worker.score(request));
  } catch (e) {
    return noScoreResponse(worker.name, ErrorCode.WorkerFailed, `worker threw: ${(e as Error)?.message ?? String(e)}`);
  }
}
