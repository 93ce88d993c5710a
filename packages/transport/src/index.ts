// @datarus/transport: the NATS JetStream and gRPC adapters of the runtime:
// connections from config, the TASKS / ROLLOUTS / SCORED / DLQ streams, a typed
// de-duplicating publisher, a typed durable consumer with dead letters and a
// duplicate filter, and the PolicyService server and client.
export {
  TransportConfig,
  NatsConfig,
  StreamsConfig,
  StreamSettings,
  ConsumerSettings,
  GrpcServerConfig,
  GrpcClientConfig,
  PolicyServiceConfig,
  TlsFiles,
  parseConfig,
} from './transport-config.js';
export { connectNats, closeNats, natsConnectionOptions } from './nats-connection.js';
export { ensureStreams, streamConfig } from './jetstream/ensure-streams.js';
export { JetStreamPublisher, groupIdOf } from './jetstream/publisher.js';
export { startDurableConsumer, durableConsumerConfig } from './jetstream/durable-consumer.js';
export { deadLetter } from './jetstream/dead-letter.js';
export { checkWorkMessage } from './jetstream/work-message-check.js';
export { ProcessedIds } from './processed-ids.js';

export type { PublishOptions, Published, StreamMessageType } from './jetstream/publisher.js';
export type { DurableConsumer, DurableConsumerOptions, Delivery, ConsumerEvent, ConsumerStats } from './jetstream/durable-consumer.js';
export type { DeadLetter } from './jetstream/dead-letter.js';

export { servePolicy } from './policy/policy-server.js';
export { PolicyClient, WeightsAssembler } from './policy/policy-client.js';
export { InMemoryPolicyStore } from './policy/policy-store.js';
export { WeightsHasher, weightsChecksum, describeWeights } from './policy/weights-checksum.js';
export { policyServiceDefinition } from './policy/policy-definition.js';
export { serverCredentials, channelCredentials, toServiceError, fromServiceError, ERROR_CODE_METADATA } from './grpc-credentials.js';

export type { PolicyServing, ServePolicyOptions } from './policy/policy-server.js';
export type { FetchOptions, FetchedWeights } from './policy/policy-client.js';
export type { PolicySource } from './policy/policy-store.js';
export type { NamedTensor } from './policy/weights-checksum.js';
