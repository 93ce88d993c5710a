// NATS subjects and queue groups of the reward workers, built only here.
// Grammar:
//   datarus.v1.reward.<worker>           request/reply subject of one worker kind
//   queue group "reward-<worker>"        copies of a worker share its requests
// <worker> is [a-z0-9_-]{1,64}: no dots or wildcards, so it is one subject token.
import { DatarusError, ErrorCode } from '@datarus/contracts';

const WORKER_NAME = /^[a-z0-9_-]{1,64}$/;

export function assertWorkerName(name: string): string {
  if (!WORKER_NAME.test(name)) {
    throw new DatarusError(ErrorCode.InvalidArgument, `worker name ${JSON.stringify(name)} must match ${WORKER_NAME.source}`);
  }
  return name;
}

export function rewardWorkerSubject(worker: string): string {
  return `datarus.v1.reward.${assertWorkerName(worker)}`;
}

export function rewardQueueGroup(worker: string): string {
  return `reward-${assertWorkerName(worker)}`;
}

/** Header naming the body's encoding; the reply uses the request's. */
export const ENCODING_HEADER = 'datarus-encoding';
export type WireEncoding = 'protobuf' | 'json';
