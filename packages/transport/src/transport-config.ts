// Configuration of the NATS and gRPC adapters (zod): where to connect, how to
// authenticate, how long JetStream keeps work, how consumers pace themselves and
// how PolicyService streams weights. Defaults bind and connect to loopback only;
// anything else is opted into. An invalid value is an E_INVALID_ARGUMENT that
// names the path of the bad field.
import { z } from 'zod';
import { DatarusError, ErrorCode } from '@datarus/contracts';

const DAY_MS = 24 * 3600 * 1000;

/** Paths of PEM files. */
export const TlsFiles = z.object({
  /** CA bundle to verify the peer with; absent = the system's roots. */
  caFile: z.string().min(1).optional(),
  /** This side's certificate chain (server: required; client: for mutual TLS). */
  certFile: z.string().min(1).optional(),
  /** This side's private key, with certFile. */
  keyFile: z.string().min(1).optional(),
});
export type TlsFiles = z.infer<typeof TlsFiles>;

export const NatsConfig = z
  .object({
    /** Server URL(s); several = a cluster's seed list. */
    url: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).default('nats://127.0.0.1:4222'),
    /** Connection name shown by the server (monitoring). */
    name: z.string().optional(),
    /** User/password auth (both or neither). */
    user: z.string().optional(),
    password: z.string().optional(),
    /** Token auth (instead of user/password). */
    token: z.string().optional(),
    /** TLS to the server; absent = plain TCP (loopback default). */
    tls: TlsFiles.optional(),
    /** Wait between reconnect attempts, ms. */
    reconnectWaitMs: z.number().int().positive().default(500),
    /** Reconnect attempts before giving up; -1 = forever (a worker should outlive server restarts). */
    maxReconnectAttempts: z.number().int().min(-1).default(-1),
    /** Timeout of the first connection, ms. */
    connectTimeoutMs: z.number().int().positive().default(5000),
  })
  .refine((c) => (c.user === undefined) === (c.password === undefined), { message: 'user and password go together', path: ['password'] })
  .refine((c) => !(c.token !== undefined && c.user !== undefined), { message: 'token and user/password are exclusive', path: ['token'] });
export type NatsConfig = z.infer<typeof NatsConfig>;

export const StreamSettings = z.object({
  /** work-queue: a message is removed once acked (one consumer group); limits: kept until max age (replayable). */
  retention: z.enum(['workqueue', 'limits']),
  /** How long a message is kept unconsumed, ms. */
  maxAgeMs: z.number().int().positive(),
  /** Cap on the stream's size in bytes; -1 = none. */
  maxBytes: z.number().int().min(-1).default(-1),
  /** Largest message accepted, bytes; -1 = the server's max_payload. */
  maxMsgSize: z.number().int().min(-1).default(-1),
  /** Copies in a cluster (1..5). */
  replicas: z.number().int().min(1).max(5).default(1),
});
export type StreamSettings = z.infer<typeof StreamSettings>;

export const StreamsConfig = z.object({
  /** Window in which a second publish with the same Nats-Msg-Id is dropped, ms. */
  duplicateWindowMs: z.number().int().positive().default(10 * 60 * 1000),
  /** Storage of every stream: file survives a server restart. */
  storage: z.enum(['file', 'memory']).default('file'),
  TASKS: StreamSettings.default({ retention: 'workqueue', maxAgeMs: 7 * DAY_MS, maxBytes: -1, maxMsgSize: -1, replicas: 1 }),
  ROLLOUTS: StreamSettings.default({ retention: 'workqueue', maxAgeMs: 7 * DAY_MS, maxBytes: -1, maxMsgSize: -1, replicas: 1 }),
  /** Limits retention: the learner's durable consumer tracks its place; eval or audit may replay. */
  SCORED: StreamSettings.default({ retention: 'limits', maxAgeMs: 7 * DAY_MS, maxBytes: -1, maxMsgSize: -1, replicas: 1 }),
  DLQ: StreamSettings.default({ retention: 'limits', maxAgeMs: 30 * DAY_MS, maxBytes: -1, maxMsgSize: -1, replicas: 1 }),
});
export type StreamsConfig = z.infer<typeof StreamsConfig>;

export const ConsumerSettings = z.object({
  /** Time a delivered message may stay unacked before JetStream redelivers it, ms. Handlers in progress extend it. */
  ackWaitMs: z.number().int().positive().default(30_000),
  /** Deliveries before a message is dead-lettered (E_MAX_DELIVERIES). */
  maxDeliver: z.number().int().min(1).default(5),
  /** Messages handled at once by this process (bounded in flight: backpressure). */
  concurrency: z.number().int().min(1).max(1024).default(1),
  /** Unacked messages the server lets all copies of this consumer hold at once. */
  maxAckPending: z.number().int().min(1).default(1024),
  /** Delay before a failed (nak'ed) message is redelivered, ms. */
  nakDelayMs: z.number().int().min(0).default(1000),
  /** Keep extending the ack wait while the handler runs (a live but slow handler is not redelivered). */
  extendAckWait: z.boolean().default(true),
  /** Group ids remembered by the duplicate filter. */
  dedupeCapacity: z.number().int().min(1).default(100_000),
});
export type ConsumerSettings = z.infer<typeof ConsumerSettings>;

export const GrpcServerConfig = z.object({
  /** host:port to bind; port 0 picks a free one. Loopback unless set. */
  bind: z.string().default('127.0.0.1:0'),
  /** Server TLS (certFile and keyFile required; caFile = require client certs signed by it). */
  tls: TlsFiles.optional(),
});
export type GrpcServerConfig = z.infer<typeof GrpcServerConfig>;

export const GrpcClientConfig = z.object({
  /** host:port of the server. */
  address: z.string().min(1).default('127.0.0.1:50051'),
  /** TLS to the server (caFile to verify it; certFile/keyFile for mutual TLS). */
  tls: TlsFiles.optional(),
});
export type GrpcClientConfig = z.infer<typeof GrpcClientConfig>;

export const PolicyServiceConfig = z.object({
  /** Chunk size used when the client asks for none, bytes. */
  defaultChunkBytes: z.number().int().min(1).default(1 << 20),
  /** Largest chunk the server sends, bytes (gRPC's default message cap is 4 MiB). */
  maxChunkBytes: z.number().int().min(1).max(4 << 20).default(3 << 20),
});
export type PolicyServiceConfig = z.infer<typeof PolicyServiceConfig>;

export const TransportConfig = z.object({
  nats: NatsConfig.default({ url: 'nats://127.0.0.1:4222', reconnectWaitMs: 500, maxReconnectAttempts: -1, connectTimeoutMs: 5000 }),
  streams: StreamsConfig.default(() => StreamsConfig.parse({})),
  consumer: ConsumerSettings.default(() => ConsumerSettings.parse({})),
  policy: PolicyServiceConfig.default(() => PolicyServiceConfig.parse({})),
});
export type TransportConfig = z.infer<typeof TransportConfig>;

/** Parses `value` with `schema`; a bad field becomes E_INVALID_ARGUMENT naming its path. */
export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, what = 'config'): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const path = issue.path.length ? issue.path.join('.') : '(root)';
  throw new DatarusError(ErrorCode.InvalidArgument, `${what}.${path}: ${issue.message}`);
}

