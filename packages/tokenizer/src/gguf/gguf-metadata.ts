// The key/value header of a GGUF file, as read by readGgufMetadata. Values keep
// their GGUF type: 64-bit integers stay bigint (exact), everything else maps to the
// obvious JS value; arrays become JS arrays. Typed accessors throw a DatarusError
// (BadHeader) when a key holds the wrong kind of value, and return undefined when
// it is absent, so callers decide which keys are required.
import { DatarusError, ErrorCode } from '@datarus/contracts';

/** GGUF metadata value types, numbered as in the file format. */
export const GgufType = {
  U8: 0, I8: 1, U16: 2, I16: 3, U32: 4, I32: 5, F32: 6, Bool: 7,
  String: 8, Array: 9, U64: 10, I64: 11, F64: 12,
} as const;
export type GgufType = (typeof GgufType)[keyof typeof GgufType];

export type GgufScalar = number | bigint | boolean | string;
export type GgufValue = GgufScalar | GgufValue[];

export interface GgufEntry {
  /** The value's GGUF type; for arrays, `elemType` names the element type. */
  type: GgufType;
  elemType?: GgufType;
  value: GgufValue;
}

export class GgufMetadata {
  constructor(
    /** File format version (2 or 3). */
    readonly version: number,
    /** Number of tensor infos that follow the key/values. */
    readonly tensorCount: bigint,
    /** Entries in file order. */
    readonly entries: ReadonlyMap<string, GgufEntry>,
    /** Byte offset just past the last key/value (where tensor infos begin). */
    readonly kvEnd = 0,
  ) {}

  /** Builds metadata from plain values (tests, synthetic tokenizers); types are guessed. */
  static fromObject(kv: Record<string, GgufValue>, version = 3): GgufMetadata {
    const m = new Map<string, GgufEntry>();
    for (const [k, v] of Object.entries(kv)) m.set(k, { type: guessType(v), value: v });
    return new GgufMetadata(version, 0n, m);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): GgufValue | undefined {
    return this.entries.get(key)?.value;
  }

  string(key: string): string | undefined {
    const v = this.get(key);
    if (v === undefined || typeof v === 'string') return v;
    throw wrongType(key, 'a string');
  }

  /** Any numeric scalar as a JS number (64-bit values must be exactly representable). */
  number(key: string): number | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER)) {
      return Number(v);
    }
    throw wrongType(key, 'a number');
  }

  bool(key: string): boolean | undefined {
    const v = this.get(key);
    if (v === undefined || typeof v === 'boolean') return v;
    throw wrongType(key, 'a bool');
  }

  stringArray(key: string): string[] | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    throw wrongType(key, 'an array of strings');
  }

  numberArray(key: string): number[] | undefined {
    const v = this.get(key);
    if (v === undefined) return undefined;
    if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
    throw wrongType(key, 'an array of numbers');
  }
}

function wrongType(key: string, want: string): DatarusError {
  return new DatarusError(ErrorCode.BadHeader, `GGUF key '${key}' is not ${want}`);
}

function guessType(v: GgufValue): GgufType {
  if (typeof v === 'string') return GgufType.String;
  if (typeof v === 'boolean') return GgufType.Bool;
  if (typeof v === 'bigint') return GgufType.I64;
  if (typeof v === 'number') return Number.isInteger(v) ? GgufType.I32 : GgufType.F32;
  return GgufType.Array;
}
