// Creates (or brings up to date) the runtime's JetStream streams: TASKS and
// ROLLOUTS (work-queue: a message leaves once a worker acks it), SCORED (limits:
// kept until max age, so the learner's durable consumer can resume and others
// can replay) and DLQ (limits, long max age: dead letters wait for a person).
// All on file storage by default, with a de-duplication window for Nats-Msg-Id.
import { DiscardPolicy, nanos, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig, type StreamInfo } from 'nats';
import { DatarusError, ErrorCode, StreamName, streamSubjects } from '@datarus/contracts';
import { parseConfig, StreamsConfig } from '../transport-config.js';

/** The JetStream configuration of one stream under `config`. */
export function streamConfig(stream: StreamName, config: StreamsConfig): Partial<StreamConfig> & { name: string; subjects: string[] } {
  const s = config[stream];
  return {
    name: stream,
    subjects: streamSubjects(stream),
    retention: s.retention === 'workqueue' ? RetentionPolicy.Workqueue : RetentionPolicy.Limits,
    storage: config.storage === 'file' ? StorageType.File : StorageType.Memory,
    max_age: nanos(s.maxAgeMs),
    max_bytes: s.maxBytes,
    max_msg_size: s.maxMsgSize,
    num_replicas: s.replicas,
    duplicate_window: nanos(Math.min(config.duplicateWindowMs, s.maxAgeMs)),
    discard: DiscardPolicy.Old,
  };
}

/**
 * Makes sure TASKS, ROLLOUTS, SCORED and DLQ exist with `config`; updates the
 * mutable settings of existing ones. Returns their info by name. A stream whose
 * retention or storage differ (JetStream cannot change them) is E_TRANSPORT_FAILED.
 */
export async function ensureStreams(jsm: JetStreamManager, config: StreamsConfig | Record<string, unknown> = {}): Promise<Record<StreamName, StreamInfo>> {
  const c = parseConfig(StreamsConfig, config, 'streams');
  const out = {} as Record<StreamName, StreamInfo>;
  for (const name of Object.values(StreamName)) {
    const want = streamConfig(name, c);
    let info: StreamInfo | null = null;
    try {
      info = await jsm.streams.info(name);
    } catch (e) {
      if (!/not found/i.test((e as Error).message)) {
        throw new DatarusError(ErrorCode.TransportFailed, `stream ${name}: ${(e as Error).message}`, { cause: e });
      }
    }
    try {
      if (!info) {
        out[name] = await jsm.streams.add(want);
        continue;
      }
      if (info.config.retention !== want.retention || info.config.storage !== want.storage) {
        throw new DatarusError(
          ErrorCode.TransportFailed,
          `stream ${name} exists with retention ${info.config.retention} / storage ${info.config.storage}; ` +
            `wanted ${want.retention} / ${want.storage} (JetStream cannot change them: delete the stream or change the config)`,
        );
      }
      const differs = (Object.keys(want) as (keyof typeof want)[]).some((k) => JSON.stringify(info!.config[k]) !== JSON.stringify(want[k]));
      out[name] = differs ? await jsm.streams.update(name, { ...info.config, ...want }) : info;
    } catch (e) {
      if (e instanceof DatarusError) throw e;
      throw new DatarusError(ErrorCode.TransportFailed, `stream ${name}: ${(e as Error).message}`, { cause: e });
    }
  }
  return out;
}
