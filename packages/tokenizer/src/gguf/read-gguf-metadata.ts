// Reads the key/value header of a GGUF file (format versions 2 and 3), streaming
// through a file handle: only the header bytes are read, never the tensor data.
// Layout: "GGUF", u32 version, u64 tensor count, u64 kv count, then per kv a
// u64-length UTF-8 key, a u32 value type and the value (arrays: u32 element type,
// u64 count, elements). Lengths and counts are checked against fixed caps (else
// BadHeader) and against the bytes left in the file (else Truncated) before any
// allocation, so a corrupt file yields a DatarusError, never a crash.
import { open, type FileHandle } from 'node:fs/promises';
import { DatarusError, ErrorCode } from '@datarus/contracts';
import { FileCursor } from './file-cursor.js';
import { GgufMetadata, GgufType, type GgufEntry, type GgufValue } from './gguf-metadata.js';

/** Caps on what a sane header declares; above these a file is malformed, not short. */
export const GGUF_LIMITS = {
  maxStringBytes: 1 << 28,
  maxArrayLength: 1 << 28,
  maxKeyBytes: 1 << 16,
  maxKvCount: 1 << 20,
  maxTensorCount: 1 << 24,
  maxArrayDepth: 4,
} as const;

const MAGIC = Buffer.from('GGUF', 'latin1');

/** Fixed-width scalar types: byte width and reader. */
const FIXED: Record<number, [number, (b: Buffer, at: number) => number | bigint | boolean]> = {
  [GgufType.U8]: [1, (b, at) => b.readUInt8(at)],
  [GgufType.I8]: [1, (b, at) => b.readInt8(at)],
  [GgufType.U16]: [2, (b, at) => b.readUInt16LE(at)],
  [GgufType.I16]: [2, (b, at) => b.readInt16LE(at)],
  [GgufType.U32]: [4, (b, at) => b.readUInt32LE(at)],
  [GgufType.I32]: [4, (b, at) => b.readInt32LE(at)],
  [GgufType.F32]: [4, (b, at) => b.readFloatLE(at)],
  [GgufType.Bool]: [1, (b, at) => b.readUInt8(at) !== 0],
  [GgufType.U64]: [8, (b, at) => b.readBigUInt64LE(at)],
  [GgufType.I64]: [8, (b, at) => b.readBigInt64LE(at)],
  [GgufType.F64]: [8, (b, at) => b.readDoubleLE(at)],
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads the metadata of the GGUF file at `path`. */
export async function readGgufMetadata(path: string): Promise<GgufMetadata> {
  const handle = await openFile(path);
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new DatarusError(ErrorCode.FileIo, `${path}: not a regular file`);
    return await parse(new FileCursor(handle, st.size, path), path);
  } finally {
    await handle.close();
  }
}

async function openFile(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DatarusError(ErrorCode.FileNotFound, `${path}: no such file`, { cause: e });
    throw new DatarusError(ErrorCode.FileIo, `${path}: cannot open (${code ?? String(e)})`, { cause: e });
  }
}

async function parse(cur: FileCursor, path: string): Promise<GgufMetadata> {
  const head = Math.min(4, cur.size);
  if (head > 0) await cur.ensure(head);
  if (head > 0 && !cur.take(head).equals(MAGIC.subarray(0, head))) {
    throw new DatarusError(ErrorCode.BadMagic, `${path}: not a GGUF file (bad magic)`);
  }
  if (head < 4) throw new DatarusError(ErrorCode.Truncated, `${path}: ends inside the GGUF magic`);
  await cur.ensure(4 + 8 + 8);
  const version = cur.u32();
  if (version !== 2 && version !== 3) {
    throw new DatarusError(ErrorCode.BadMagic, `${path}: unsupported GGUF version ${version} (want 2 or 3)`);
  }
  const tensorCount = cur.u64();
  const kvCount = cur.u64();
  if (tensorCount > BigInt(GGUF_LIMITS.maxTensorCount)) {
    throw new DatarusError(ErrorCode.BadHeader, `${path}: absurd tensor count ${tensorCount}`);
  }
  if (kvCount > BigInt(GGUF_LIMITS.maxKvCount)) {
    throw new DatarusError(ErrorCode.BadHeader, `${path}: absurd key/value count ${kvCount}`);
  }
  const entries = new Map<string, GgufEntry>();
  for (let i = 0; i < Number(kvCount); i++) {
    const key = await readString(cur, GGUF_LIMITS.maxKeyBytes, `key #${i}`);
    if (entries.has(key)) throw new DatarusError(ErrorCode.BadHeader, `${path}: duplicate key '${key}'`);
    await cur.ensure(4);
    const type = checkType(cur.u32(), key);
    if (type === GgufType.Array) {
      const { elemType, value } = await readArray(cur, key, 1);
      entries.set(key, { type, elemType, value });
    } else {
      entries.set(key, { type, value: await readScalar(cur, type, key) });
    }
  }
  return new GgufMetadata(version, tensorCount, entries, cur.pos);
}

function checkType(t: number, key: string): GgufType {
  if (!Number.isInteger(t) || t < 0 || t > 12) {
    throw new DatarusError(ErrorCode.BadHeader, `GGUF key '${key}': unknown value type ${t}`);
  }
  return t as GgufType;
}

async function readString(cur: FileCursor, cap: number, what: string): Promise<string> {
  if (!cur.has(8)) await cur.ensure(8);
  const len = cur.u64();
  if (len > BigInt(cap)) {
    throw new DatarusError(ErrorCode.BadHeader, `GGUF ${what}: absurd string length ${len} at offset ${cur.pos - 8}`);
  }
  const n = Number(len);
  if (!cur.has(n)) await cur.ensure(n);
  try {
    return utf8.decode(cur.take(n));
  } catch (e) {
    throw new DatarusError(ErrorCode.BadHeader, `GGUF ${what}: string is not valid UTF-8`, { cause: e });
  }
}

async function readScalar(cur: FileCursor, type: GgufType, key: string): Promise<GgufValue> {
  if (type === GgufType.String) return readString(cur, GGUF_LIMITS.maxStringBytes, `value of '${key}'`);
  const [width, read] = FIXED[type];
  if (!cur.has(width)) await cur.ensure(width);
  return cur.fixed(width, read);
}

async function readArray(
  cur: FileCursor,
  key: string,
  depth: number,
): Promise<{ elemType: GgufType; value: GgufValue[] }> {
  if (depth > GGUF_LIMITS.maxArrayDepth) {
    throw new DatarusError(ErrorCode.BadHeader, `GGUF key '${key}': arrays nested too deeply`);
  }
  await cur.ensure(4 + 8);
  const elemType = checkType(cur.u32(), key);
  const count = cur.u64();
  if (count > BigInt(GGUF_LIMITS.maxArrayLength)) {
    throw new DatarusError(ErrorCode.BadHeader, `GGUF key '${key}': absurd array length ${count}`);
  }
  const n = Number(count);
  const minElem = elemType === GgufType.String ? 8 : elemType === GgufType.Array ? 12 : FIXED[elemType][0];
  if (n * minElem > cur.remaining()) {
    throw new DatarusError(
      ErrorCode.Truncated,
      `GGUF key '${key}': array of ${n} elements needs at least ${n * minElem} bytes, only ${cur.remaining()} left`,
    );
  }
  const value: GgufValue[] = new Array(n);
  if (elemType === GgufType.String) {
    for (let i = 0; i < n; i++) value[i] = await readString(cur, GGUF_LIMITS.maxStringBytes, `'${key}'[${i}]`);
  } else if (elemType === GgufType.Array) {
    for (let i = 0; i < n; i++) value[i] = (await readArray(cur, key, depth + 1)).value;
  } else {
    const [width, read] = FIXED[elemType];
    await cur.ensure(n * width);
    for (let i = 0; i < n; i++) value[i] = cur.fixed(width, read) as GgufValue;
  }
  return { elemType, value };
}
