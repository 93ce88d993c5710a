// NATS subjects, JetStream stream names, durable consumer names and queue groups
// of the datarus runtime, built only here. Grammar (tokens are separated by dots):
//
//   datarus.v1.tasks               stream TASKS     a RolloutRequest for the rollout workers
//   datarus.v1.rollouts            stream ROLLOUTS  a RolloutGroup for the reward service
//   datarus.v1.scored              stream SCORED    a ScoredGroup for the learner
//   datarus.v1.dlq.<stream>        stream DLQ       dead letters taken off <stream>
//                                                   (its name in lower case), with
//                                                   the reason in headers
//   datarus.v1.reward.<worker>     core request/reply to a reward worker kind;
//                                  queue group "reward-<worker>"
//   datarus.v1.events.<kind>       core NATS progress events (not persisted)
//
// A <name> (worker, event kind, consumer) is one token of [a-z0-9_-]{1,64}: no dots,
// wildcards (* >) or whitespace, so it can never widen a subscription. Message
// bodies are binary protobuf of proto/datarus/v1 unless a header says otherwise.
import { DatarusError, ErrorCode } from './errors.js';
import type { MessageName } from './wire/generated.js';

export const SUBJECT_ROOT = 'datarus.v1';

const NAME = /^[a-z0-9_-]{1,64}$/;

/** Returns `name` when it is one valid subject token of the grammar above; throws E_INVALID_ARGUMENT otherwise. */
export function assertSubjectToken(name: string, what = 'name'): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new DatarusError(ErrorCode.InvalidArgument, `${what} ${JSON.stringify(name)} must match ${NAME.source} (one subject token)`);
  }
  return name;
}

/** The JetStream streams of the runtime. */
export const StreamName = {
  Tasks: 'TASKS',
  Rollouts: 'ROLLOUTS',
  Scored: 'SCORED',
  Dlq: 'DLQ',
} as const;
export type StreamName = (typeof StreamName)[keyof typeof StreamName];

/** The streams that carry work (everything but the DLQ). */
export type WorkStreamName = Exclude<StreamName, 'DLQ'>;

/** The message each work stream carries (binary protobuf). */
export const StreamMessage = {
  TASKS: 'datarus.v1.RolloutRequest',
  ROLLOUTS: 'datarus.v1.RolloutGroup',
  SCORED: 'datarus.v1.ScoredGroup',
} as const satisfies Record<WorkStreamName, MessageName>;
export type StreamMessage = typeof StreamMessage;

const streamNames = new Set<string>(Object.values(StreamName));

export function assertStreamName(name: string): StreamName {
  if (!streamNames.has(name)) throw new DatarusError(ErrorCode.InvalidArgument, `unknown stream ${JSON.stringify(name)}`);
  return name as StreamName;
}

export function tasksSubject(): string {
  return `${SUBJECT_ROOT}.tasks`;
}

export function rolloutsSubject(): string {
  return `${SUBJECT_ROOT}.rollouts`;
}

export function scoredSubject(): string {
  return `${SUBJECT_ROOT}.scored`;
}

/** The subject a work stream's messages are published on. */
export function streamSubject(stream: WorkStreamName): string {
  switch (stream) {
    case StreamName.Tasks:
      return tasksSubject();
    case StreamName.Rollouts:
      return rolloutsSubject();
    case StreamName.Scored:
      return scoredSubject();
    default:
      throw new DatarusError(ErrorCode.InvalidArgument, `no work subject for stream ${JSON.stringify(stream)}`);
  }
}

/** Dead letters taken off `stream`: datarus.v1.dlq.<stream in lower case>. */
export function dlqSubject(stream: WorkStreamName): string {
  streamSubject(stream); // validates
  return `${SUBJECT_ROOT}.dlq.${stream.toLowerCase()}`;
}

/** Every dead-letter subject (the DLQ stream's filter). */
export function dlqWildcard(): string {
  return `${SUBJECT_ROOT}.dlq.>`;
}

/** The subjects a stream stores. */
export function streamSubjects(stream: StreamName): string[] {
  return stream === StreamName.Dlq ? [dlqWildcard()] : [streamSubject(stream)];
}

export function rewardWorkerSubject(worker: string): string {
  return `${SUBJECT_ROOT}.reward.${assertSubjectToken(worker, 'worker name')}`;
}

export function rewardQueueGroup(worker: string): string {
  return `reward-${assertSubjectToken(worker, 'worker name')}`;
}

export function eventSubject(kind: string): string {
  return `${SUBJECT_ROOT}.events.${assertSubjectToken(kind, 'event kind')}`;
}

/** Every event subject, for a subscriber that wants them all. */
export function eventWildcard(): string {
  return `${SUBJECT_ROOT}.events.*`;
}

/** A durable consumer's name, e.g. consumerName('rollout-workers'). */
export function consumerName(role: string): string {
  return assertSubjectToken(role, 'consumer name');
}

/** Header names the runtime sets on NATS messages. */
export const Header = {
  /** Body encoding of a reward request/reply: "protobuf" (default) or "json". */
  Encoding: 'datarus-encoding',
  /** JetStream's de-duplication id (set from the group or task id). */
  MsgId: 'Nats-Msg-Id',
  /** On a dead letter: why it was dead-lettered, in words. */
  DlqReason: 'datarus-dlq-reason',
  /** On a dead letter: the stable error code (E_BAD_MESSAGE, E_MAX_DELIVERIES, ...). */
  DlqCode: 'datarus-dlq-code',
  /** On a dead letter: the subject the message was first published on. */
  DlqSubject: 'datarus-dlq-subject',
  /** On a dead letter: the stream and its sequence number. */
  DlqStream: 'datarus-dlq-stream',
  DlqSequence: 'datarus-dlq-sequence',
  /** On a dead letter: deliveries seen before it was dead-lettered. */
  DlqDeliveries: 'datarus-dlq-deliveries',
  /** On a dead letter: the durable consumer that gave up on it. */
  DlqConsumer: 'datarus-dlq-consumer',
} as const;
