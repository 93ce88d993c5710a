// The PolicyService gRPC definition, built from the generated descriptor. Bodies
// pass as raw bytes and are (de)coded by the handlers with @datarus/contracts'
// codec, so the wire format is exactly proto/datarus/v1/policy.proto.
import type * as grpc from '@grpc/grpc-js';
import { grpcMethodPath, PolicyServiceMethods } from '@datarus/contracts';

const identity = (b: Buffer) => b;

function method(name: keyof typeof PolicyServiceMethods): grpc.MethodDefinition<Buffer, Buffer> {
  const m = PolicyServiceMethods[name];
  return {
    path: grpcMethodPath(m.service, name),
    requestStream: m.requestStream,
    responseStream: m.responseStream,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
    originalName: name[0].toLowerCase() + name.slice(1),
  };
}

export const policyServiceDefinition = {
  GetLatest: method('GetLatest'),
  FetchWeights: method('FetchWeights'),
} satisfies grpc.ServiceDefinition;
