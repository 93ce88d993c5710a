// The reward workers' NATS names, as built by @datarus/contracts (the one module
// with the subject grammar):
//   datarus.v1.reward.<worker>           request/reply subject of one worker kind
//   queue group "reward-<worker>"        copies of a worker share its requests
// <worker> is [a-z0-9_-]{1,64}: no dots or wildcards, so it is one subject token.
import { assertSubjectToken, Header } from '@datarus/contracts';

export { rewardWorkerSubject, rewardQueueGroup } from '@datarus/contracts';

export function assertWorkerName(name: string): string {
  return assertSubjectToken(name, 'worker name');
}

/** Header naming the body's encoding; the reply uses the request's. */
export const ENCODING_HEADER = Header.Encoding;
export type WireEncoding = 'protobuf' | 'json';
