// @datarus/contracts: the cross-process contract in TypeScript: stable error
// codes, the wire types and codecs generated from proto/, and the NATS subject
// builders. Nothing here does I/O.
export { ErrorCode, DatarusError, isErrorCode } from './errors.js';
export {
  encodeMessage,
  decodeMessage,
  messageToJson,
  messageFromJson,
  normalizeMessage,
  grpcMethodPath,
} from './wire/codec.js';
export { Domain, Mode, FinishReason, RewardServiceMethods, PolicyServiceMethods, descriptorJson } from './wire/generated.js';
export { finishReasonName } from './finish-reason.js';

export {
  SUBJECT_ROOT,
  StreamName,
  StreamMessage,
  Header,
  assertSubjectToken,
  assertStreamName,
  tasksSubject,
  rolloutsSubject,
  scoredSubject,
  streamSubject,
  streamSubjects,
  dlqSubject,
  dlqWildcard,
  rewardWorkerSubject,
  rewardQueueGroup,
  eventSubject,
  eventWildcard,
  consumerName,
} from './subjects.js';

export type { WorkStreamName } from './subjects.js';
export type {
  Task,
  Answer,
  DataFile,
  StepLabel,
  ReferenceTrajectory,
  ScoreRequest,
  ScoreResponse,
  SubScore,
  NoScore,
  Span,
  BlendedScore,
  RolloutRequest,
  SamplingParams,
  RolloutGroup,
  RolloutSample,
  RolloutTiming,
  ScoredGroup,
  CurriculumWeights,
  Empty,
  PolicyVersion,
  FetchRequest,
  WeightsChunk,
  MessageTypes,
  MessageName,
} from './wire/generated.js';
