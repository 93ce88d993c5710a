// gRPC credentials from TlsFiles: insecure when no TLS is configured (the
// loopback default), server TLS from cert/key (requiring client certificates
// when a CA is given: mutual TLS), client TLS verifying the server with the CA.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { DatarusError, ErrorCode, isErrorCode } from '@datarus/contracts';
import type { TlsFiles } from './transport-config.js';

function read(path: string | undefined, what: string): Buffer | null {
  if (!path) return null;
  try {
    return readFileSync(path);
  } catch (e) {
    throw new DatarusError(ErrorCode.FileNotFound, `grpc.tls.${what}: cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
}

export function serverCredentials(tls: TlsFiles | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  const cert = read(tls.certFile, 'certFile');
  const key = read(tls.keyFile, 'keyFile');
  if (!cert || !key) throw new DatarusError(ErrorCode.InvalidArgument, 'grpc.tls: a server needs certFile and keyFile');
  const ca = read(tls.caFile, 'caFile');
  return grpc.ServerCredentials.createSsl(ca, [{ cert_chain: cert, private_key: key }], ca !== null);
}

export function channelCredentials(tls: TlsFiles | undefined): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(read(tls.caFile, 'caFile'), read(tls.keyFile, 'keyFile'), read(tls.certFile, 'certFile'));
}

/** Metadata key carrying a stable error code (packages/contracts/src/errors.ts) beside a gRPC status. */
export const ERROR_CODE_METADATA = 'datarus-error-code';

/** A gRPC error for `e`: its DatarusError code travels in metadata. */
export function toServiceError(e: unknown, status = grpc.status.INTERNAL): Partial<grpc.ServiceError> {
  const metadata = new grpc.Metadata();
  const code = e instanceof DatarusError ? e.code : ErrorCode.Internal;
  metadata.set(ERROR_CODE_METADATA, code);
  return { code: status, details: (e as Error)?.message ?? String(e), metadata };
}

/** The DatarusError a gRPC failure stands for. */
export function fromServiceError(err: grpc.ServiceError, what: string): DatarusError {
  const carried = err.metadata?.get(ERROR_CODE_METADATA)[0];
  const code =
    isErrorCode(carried)
      ? carried
      : err.code === grpc.status.NOT_FOUND
        ? ErrorCode.VersionUnavailable
        : ErrorCode.TransportFailed;
  return new DatarusError(code, `${what}: gRPC ${grpc.status[err.code]}: ${err.details}`, { cause: err });
}
