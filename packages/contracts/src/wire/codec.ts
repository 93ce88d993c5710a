// Binary protobuf and proto3-JSON codecs for the messages of proto/, built at
// runtime from the descriptor that codegen embedded in generated.ts (so no .proto
// file is read at runtime). Decoded objects have the canonical JSON shape of
// generated.ts: enums as names, defaults filled in, unset message fields absent.
import protobuf from 'protobufjs';
import { DatarusError, ErrorCode } from '../errors.js';
import { descriptorJson, type MessageName, type MessageTypes } from './generated.js';

const root = protobuf.Root.fromJSON(descriptorJson as unknown as protobuf.INamespace);
const types = new Map<string, protobuf.Type>();

function typeOf(name: MessageName): protobuf.Type {
  let t = types.get(name);
  if (!t) {
    t = root.lookupType(name);
    types.set(name, t);
  }
  return t;
}

const toObjectOptions: protobuf.IConversionOptions = {
  enums: String,
  longs: String,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
};

/** Drops the `null`s protobufjs writes for unset message fields. */
function stripNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripNulls);
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = stripNulls(x);
    return out;
  }
  return v;
}

const numeric = new Set(['double', 'float', 'int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/** Checks a plain (canonical JSON shaped) object against the schema; returns the first problem's path. */
function check(t: protobuf.Type, value: unknown, path: string): string | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return `${path || '.'}: object expected`;
  for (const [key, v] of Object.entries(value)) {
    const f = t.fields[key];
    if (!f || v === null || v === undefined) continue; // unknown fields and the oneof discriminator are ignored
    const at = path ? `${path}.${key}` : key;
    if (f.map) {
      if (typeof v !== 'object' || Array.isArray(v)) return `${at}: object expected`;
      for (const [k, x] of Object.entries(v)) {
        const p = checkValue(f, x, `${at}.${k}`);
        if (p) return p;
      }
    } else if (f.repeated) {
      if (!Array.isArray(v)) return `${at}: array expected`;
      for (let i = 0; i < v.length; i++) {
        const p = checkValue(f, v[i], `${at}[${i}]`);
        if (p) return p;
      }
    } else {
      const p = checkValue(f, v, at);
      if (p) return p;
    }
  }
  return null;
}

function checkValue(f: protobuf.Field, v: unknown, at: string): string | null {
  const rt = f.resolvedType;
  if (rt instanceof protobuf.Type) return check(rt, v, at);
  if (rt instanceof protobuf.Enum) {
    if (typeof v === 'string' ? !(v in rt.values) : !Number.isInteger(v)) return `${at}: enum ${rt.name} value expected`;
    return null;
  }
  if (numeric.has(f.type)) {
    const ok = typeof v === 'number' || (typeof v === 'string' && (/^-?\d+(\.\d*)?([eE][-+]?\d+)?$/.test(v) || ['NaN', 'Infinity', '-Infinity'].includes(v)));
    return ok ? null : `${at}: number expected`;
  }
  if (f.type === 'bool') return typeof v === 'boolean' ? null : `${at}: boolean expected`;
  if (f.type === 'string') return typeof v === 'string' ? null : `${at}: string expected`;
  return null;
}

function fromPlain(name: MessageName, value: unknown): protobuf.Message {
  const t = typeOf(name);
  const err = check(t, value, '');
  if (err) throw new DatarusError(ErrorCode.BadMessage, `${name}: ${err}`);
  return t.fromObject(value as Record<string, unknown>);
}

/** Normalises a plain object to the canonical shape (defaults filled, enums as names). */
export function normalizeMessage<K extends MessageName>(name: K, value: MessageTypes[K]): MessageTypes[K] {
  const t = typeOf(name);
  return stripNulls(t.toObject(fromPlain(name, value), toObjectOptions)) as MessageTypes[K];
}

/** Encodes to binary protobuf. Throws E_BAD_MESSAGE when `value` does not fit the schema. */
export function encodeMessage<K extends MessageName>(name: K, value: MessageTypes[K]): Uint8Array {
  return typeOf(name).encode(fromPlain(name, value)).finish();
}

/** Decodes binary protobuf. Throws E_BAD_MESSAGE on malformed bytes. */
export function decodeMessage<K extends MessageName>(name: K, bytes: Uint8Array): MessageTypes[K] {
  const t = typeOf(name);
  try {
    return stripNulls(t.toObject(t.decode(bytes), toObjectOptions)) as MessageTypes[K];
  } catch (e) {
    throw new DatarusError(ErrorCode.BadMessage, `${name}: cannot decode ${bytes.length} bytes: ${(e as Error).message}`, { cause: e });
  }
}

/** Encodes to proto3 canonical JSON (one line). */
export function messageToJson<K extends MessageName>(name: K, value: MessageTypes[K]): string {
  return JSON.stringify(normalizeMessage(name, value));
}

/** Parses proto3 canonical JSON. Throws E_BAD_MESSAGE on bad JSON or a schema mismatch. */
export function messageFromJson<K extends MessageName>(name: K, json: string): MessageTypes[K] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw new DatarusError(ErrorCode.BadMessage, `${name}: invalid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new DatarusError(ErrorCode.BadMessage, `${name}: JSON is not an object`);
  }
  return normalizeMessage(name, parsed as MessageTypes[K]);
}

/** Method path for gRPC, e.g. "/datarus.v1.RewardService/Score". */
export function grpcMethodPath(service: string, method: string): string {
  const s = root.lookupService(service);
  if (!s.methods[method]) throw new DatarusError(ErrorCode.InvalidArgument, `${service} has no method ${method}`);
  return `/${service}/${method}`;
}
