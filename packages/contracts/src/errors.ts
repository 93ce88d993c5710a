// Stable error codes shared by the native addon, the TypeScript packages and the
// wire (NATS headers, gRPC status details). A code never changes meaning once
// released; new failure kinds get new codes.

export const ErrorCode = {
  /** An argument failed validation before any work started. */
  InvalidArgument: 'E_INVALID_ARGUMENT',
  /** A file or directory does not exist. */
  FileNotFound: 'E_FILE_NOT_FOUND',
  /** A file exists but could not be read or written. */
  FileIo: 'E_FILE_IO',
  /** A model file's magic bytes or version are not what the format requires. */
  BadMagic: 'E_BAD_MAGIC',
  /** A model file ends before the structure it declares. */
  Truncated: 'E_TRUNCATED',
  /** A model file's header is malformed, too large, or self-contradictory. */
  BadHeader: 'E_BAD_HEADER',
  /** A tensor has an unknown or unsupported dtype / quantisation type. */
  UnknownDtype: 'E_UNKNOWN_DTYPE',
  /** A tensor's declared size, shape or offset is impossible for the file. */
  BadTensor: 'E_BAD_TENSOR',
  /** config.json or GGUF metadata does not describe a supported model. */
  BadConfig: 'E_BAD_CONFIG',
  /** The checkpoint lacks a tensor the architecture needs. */
  MissingTensor: 'E_MISSING_TENSOR',
  /** A token id is negative or not below the vocabulary size. */
  TokenOutOfRange: 'E_TOKEN_OUT_OF_RANGE',
  /** The input (plus requested new tokens) exceeds the model's context. */
  ContextOverflow: 'E_CONTEXT_OVERFLOW',
  /** The tokenizer description is malformed or unsupported. */
  BadTokenizer: 'E_BAD_TOKENIZER',
  /** A chat template could not be parsed or rendered. */
  BadTemplate: 'E_BAD_TEMPLATE',
  /** A handle was used after dispose(). */
  Disposed: 'E_DISPOSED',
  /** The operation was cancelled by its caller. */
  Aborted: 'E_ABORTED',
  /** The native binary is missing, or failed to load in a child process. */
  NativeLoad: 'E_NATIVE_LOAD',
  /** A loss or gradient was NaN or infinite; the step was skipped. */
  NonFinite: 'E_NON_FINITE',
  /** An internal invariant failed; a bug, reported with context. */
  Internal: 'E_INTERNAL',
  /** A reward worker did not answer within its timeout. */
  WorkerTimeout: 'E_WORKER_TIMEOUT',
  /** A reward worker threw or reported a failure. */
  WorkerFailed: 'E_WORKER_FAILED',
  /** A wire message could not be decoded, or decoded to something out of contract. */
  BadMessage: 'E_BAD_MESSAGE',
  /** A task is malformed or lacks what the operation needs (e.g. no ground truth). */
  BadTask: 'E_BAD_TASK',
  /** No reward worker is reachable on the configured transport. */
  WorkerUnavailable: 'E_WORKER_UNAVAILABLE',
  /** The build lacks an optional capability (e.g. c10d process groups without Gloo headers). */
  Unsupported: 'E_UNSUPPORTED',
  /** Reassembled data does not match its declared checksum or length (e.g. policy weights). */
  ChecksumMismatch: 'E_CHECKSUM_MISMATCH',
  /** The requested policy version is not (or no longer) served. */
  VersionUnavailable: 'E_VERSION_UNAVAILABLE',
  /** A NATS or gRPC connection, stream or consumer could not be set up or was lost. */
  TransportFailed: 'E_TRANSPORT_FAILED',
  /** A message was delivered more times than its consumer's max-deliver and was dead-lettered. */
  MaxDeliveries: 'E_MAX_DELIVERIES',
  /** A run config (file or command-line flags) failed validation; the message lists each bad field's path. */
  InvalidConfig: 'E_INVALID_CONFIG',
  /** The sandbox could not be started or its kernel died (not the user code's own error). */
  SandboxFailed: 'E_SANDBOX_FAILED',
  /** Sandboxed code ran past its wall-time limit and was killed. */
  SandboxTimeout: 'E_SANDBOX_TIMEOUT',
  /** Sandboxed code hit a resource limit (memory, output size, processes). */
  SandboxLimit: 'E_SANDBOX_LIMIT',
  /** A child process of the run exited unexpectedly or could not be started. */
  ProcessFailed: 'E_PROCESS_FAILED',
  /** Data-parallel learner ranks are at different steps (e.g. each resumed from a different checkpoint). */
  RankMismatch: 'E_RANK_MISMATCH',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const known = new Set<string>(Object.values(ErrorCode));

/** True when `code` is one of the stable codes above. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && known.has(code);
}

/** An error that carries a stable `code`. Every error this project throws on purpose is one. */
export class DatarusError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatarusError';
    this.code = code;
  }
}
