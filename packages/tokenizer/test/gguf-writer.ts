// Test helper: writes GGUF v3 headers from typed key/values, so tests can build
// small valid files and corrupt them byte by byte. Not part of the package.
import { GgufType } from '../src/gguf/gguf-metadata.js';

export type KvSpec =
  | { key: string; type: Exclude<GgufType, 9>; value: number | bigint | boolean | string }
  | { key: string; type: 9; elemType: GgufType; value: (number | bigint | boolean | string)[] };

export function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

export function u64(n: number | bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

export function ggufString(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([u64(bytes.length), bytes]);
}

function scalar(type: GgufType, v: number | bigint | boolean | string): Buffer {
  const b = Buffer.alloc(8);
  switch (type) {
    case GgufType.U8: b.writeUInt8(Number(v)); return b.subarray(0, 1);
    case GgufType.I8: b.writeInt8(Number(v)); return b.subarray(0, 1);
    case GgufType.U16: b.writeUInt16LE(Number(v)); return b.subarray(0, 2);
    case GgufType.I16: b.writeInt16LE(Number(v)); return b.subarray(0, 2);
    case GgufType.U32: b.writeUInt32LE(Number(v)); return b.subarray(0, 4);
    case GgufType.I32: b.writeInt32LE(Number(v)); return b.subarray(0, 4);
    case GgufType.F32: b.writeFloatLE(Number(v)); return b.subarray(0, 4);
    case GgufType.Bool: b.writeUInt8(v ? 1 : 0); return b.subarray(0, 1);
    case GgufType.U64: b.writeBigUInt64LE(BigInt(v)); return b;
    case GgufType.I64: b.writeBigInt64LE(BigInt(v)); return b;
    case GgufType.F64: b.writeDoubleLE(Number(v)); return b;
    case GgufType.String: return ggufString(String(v));
    default: throw new Error(`scalar type ${type}`);
  }
}

/** A complete GGUF header (no tensors) holding `kvs`. */
export function writeGguf(kvs: KvSpec[], version = 3): Buffer {
  const parts: Buffer[] = [Buffer.from('GGUF'), u32(version), u64(0), u64(kvs.length)];
  for (const kv of kvs) {
    parts.push(ggufString(kv.key), u32(kv.type));
    if (kv.type === GgufType.Array) {
      parts.push(u32(kv.elemType), u64(kv.value.length), ...kv.value.map((x) => scalar(kv.elemType, x)));
    } else parts.push(scalar(kv.type, kv.value));
  }
  return Buffer.concat(parts);
}
