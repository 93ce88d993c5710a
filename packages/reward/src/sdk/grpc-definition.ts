// The RewardService gRPC definition, built from the generated descriptor: bodies
// pass as raw bytes and are decoded by the handler, so a malformed message
// becomes a no-score answer instead of a transport error.
import type * as grpc from '@grpc/grpc-js';
import { grpcMethodPath, RewardServiceMethods } from '@datarus/contracts';

const identity = (b: Buffer) => b;

export const rewardServiceDefinition: grpc.ServiceDefinition = {
  Score: {
    path: grpcMethodPath(RewardServiceMethods.Score.service, 'Score'),
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: 'score',
  },
};
