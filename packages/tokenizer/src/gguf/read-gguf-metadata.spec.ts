// GGUF header reader: every value type on synthetic files, corrupt and truncated
// inputs (each must give its DatarusError code), and the real SmolLM2 file.
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DatarusError, ErrorCode } from '@datarus/contracts';
import { suiteTempDir } from '../../../../test/support/temp-dir.js';
import { ggufString, u32, u64, writeGguf, type KvSpec } from '../../test/gguf-writer.js';
import { GgufType } from './gguf-metadata.js';
import { GGUF_LIMITS, readGgufMetadata } from './read-gguf-metadata.js';

const MODEL = fileURLToPath(new URL('../../../../models/SmolLM2-135M-Instruct.Q4_1.gguf', import.meta.url));
const hasModel = existsSync(MODEL);

const dir = suiteTempDir('gguf-spec');

let n = 0;
async function fileOf(bytes: Buffer): Promise<string> {
  const p = join(dir(), `f${n++}.gguf`);
  await writeFile(p, bytes);
  return p;
}

async function codeOf(bytes: Buffer): Promise<string> {
  try {
    await readGgufMetadata(await fileOf(bytes));
  } catch (e) {
    expect(e).toBeInstanceOf(DatarusError);
    return (e as DatarusError).code;
  }
  return 'no error';
}

const SAMPLE: KvSpec[] = [
  { key: 'general.architecture', type: GgufType.String, value: 'llama' },
  { key: 'llama.block_count', type: GgufType.U32, value: 30 },
  { key: 'a.i8', type: GgufType.I8, value: -5 },
  { key: 'a.u16', type: GgufType.U16, value: 65535 },
  { key: 'a.i16', type: GgufType.I16, value: -300 },
  { key: 'a.i32', type: GgufType.I32, value: -70000 },
  { key: 'a.f32', type: GgufType.F32, value: 0.5 },
  { key: 'a.bool', type: GgufType.Bool, value: true },
  { key: 'a.u64', type: GgufType.U64, value: 2n ** 40n },
  { key: 'a.i64', type: GgufType.I64, value: -(2n ** 40n) },
  { key: 'a.f64', type: GgufType.F64, value: 1e-300 },
  { key: 'a.u8', type: GgufType.U8, value: 200 },
  { key: 'tokens', type: GgufType.Array, elemType: GgufType.String, value: ['a', 'Ġb', '<|im_end|>', 'é'] },
  { key: 'types', type: GgufType.Array, elemType: GgufType.I32, value: [1, 1, 3, 1] },
];

describe('readGgufMetadata on synthetic files', () => {
  it('reads every scalar type and arrays', async () => {
    const m = await readGgufMetadata(await fileOf(writeGguf(SAMPLE)));
    expect(m.version).toBe(3);
    expect(m.string('general.architecture')).toBe('llama');
    expect(m.number('llama.block_count')).toBe(30);
    expect(m.get('a.i8')).toBe(-5);
    expect(m.get('a.u16')).toBe(65535);
    expect(m.get('a.i16')).toBe(-300);
    expect(m.get('a.i32')).toBe(-70000);
    expect(m.get('a.f32')).toBe(0.5);
    expect(m.bool('a.bool')).toBe(true);
    expect(m.get('a.u64')).toBe(2n ** 40n);
    expect(m.number('a.i64')).toBe(-(2 ** 40));
    expect(m.get('a.f64')).toBe(1e-300);
    expect(m.get('a.u8')).toBe(200);
    expect(m.stringArray('tokens')).toEqual(['a', 'Ġb', '<|im_end|>', 'é']);
    expect(m.numberArray('types')).toEqual([1, 1, 3, 1]);
    expect(m.entries.get('types')?.elemType).toBe(GgufType.I32);
    expect(() => m.string('llama.block_count')).toThrowError(/not a string/);
    expect(m.string('missing')).toBeUndefined();
  });

  it('accepts version 2 and rejects others with BadMagic', async () => {
    expect((await readGgufMetadata(await fileOf(writeGguf(SAMPLE, 2)))).version).toBe(2);
    expect(await codeOf(writeGguf(SAMPLE, 1))).toBe(ErrorCode.BadMagic);
    expect(await codeOf(writeGguf(SAMPLE, 99))).toBe(ErrorCode.BadMagic);
  });

  it('rejects a bad magic', async () => {
    const b = writeGguf(SAMPLE);
    b.write('GGUX', 0);
    expect(await codeOf(b)).toBe(ErrorCode.BadMagic);
    expect(await codeOf(Buffer.from('{"not": "gguf"}'))).toBe(ErrorCode.BadMagic);
    expect(await codeOf(Buffer.from('GG'))).toBe(ErrorCode.Truncated);
  });

  it('reports a file truncated at every offset as Truncated', async () => {
    const full = writeGguf(SAMPLE);
    const codes = new Set<string>();
    for (let cut = 0; cut < full.length; cut++) codes.add(await codeOf(full.subarray(0, cut)));
    expect([...codes]).toEqual([ErrorCode.Truncated]);
  });

  it('rejects absurd string lengths, array counts and kv counts without allocating', async () => {
    const head = (kvCount: number | bigint) => Buffer.concat([Buffer.from('GGUF'), u32(3), u64(0), u64(kvCount)]);
    // key length 2^62
    expect(await codeOf(Buffer.concat([head(1), u64(2n ** 62n), Buffer.from('x')]))).toBe(ErrorCode.BadHeader);
    // string value of 2^40 bytes
    const strKv = Buffer.concat([head(1), ggufString('k'), u32(GgufType.String), u64(2n ** 40n), Buffer.alloc(16)]);
    expect(await codeOf(strKv)).toBe(ErrorCode.BadHeader);
    // string value longer than the file but under the cap
    const longKv = Buffer.concat([head(1), ggufString('k'), u32(GgufType.String), u64(1_000_000), Buffer.alloc(16)]);
    expect(await codeOf(longKv)).toBe(ErrorCode.Truncated);
    // array of 2^60 strings
    const arr = (count: bigint) => Buffer.concat([head(1), ggufString('k'), u32(GgufType.Array), u32(GgufType.String), u64(count), Buffer.alloc(64)]);
    expect(await codeOf(arr(2n ** 60n))).toBe(ErrorCode.BadHeader);
    // array of 10^7 strings in a ~100-byte file: declared size exceeds the bytes left
    expect(await codeOf(arr(10_000_000n))).toBe(ErrorCode.Truncated);
    expect(await codeOf(head(2n ** 50n))).toBe(ErrorCode.BadHeader);
    expect(await codeOf(Buffer.concat([Buffer.from('GGUF'), u32(3), u64(2n ** 60n), u64(0)]))).toBe(ErrorCode.BadHeader);
  });

  it('rejects unknown value types, invalid UTF-8 and duplicate keys', async () => {
    const head = Buffer.concat([Buffer.from('GGUF'), u32(3), u64(0), u64(1)]);
    expect(await codeOf(Buffer.concat([head, ggufString('k'), u32(13), Buffer.alloc(8)]))).toBe(ErrorCode.BadHeader);
    const badUtf8 = Buffer.concat([head, u64(2), Buffer.from([0xc3, 0x28]), u32(GgufType.U8), Buffer.alloc(1)]);
    expect(await codeOf(badUtf8)).toBe(ErrorCode.BadHeader);
    const dup: KvSpec = { key: 'k', type: GgufType.U8, value: 1 };
    expect(await codeOf(writeGguf([dup, dup]))).toBe(ErrorCode.BadHeader);
    const nested = Buffer.concat([head, ggufString('k'), u32(GgufType.Array), ...Array.from({ length: 8 }, () => Buffer.concat([u32(GgufType.Array), u64(1)])), u32(GgufType.U8), u64(1), Buffer.alloc(1)]);
    expect(await codeOf(nested)).toBe(ErrorCode.BadHeader);
  });

  it('reports a missing file as FileNotFound', async () => {
    await expect(readGgufMetadata(join(dir(), 'nope.gguf'))).rejects.toMatchObject({ code: ErrorCode.FileNotFound });
  });
});

describe.skipIf(!hasModel)(`readGgufMetadata on ${MODEL}`, () => {
  it('reads the SmolLM2-135M-Instruct header', async () => {
    const t0 = performance.now();
    const m = await readGgufMetadata(MODEL);
    const ms = performance.now() - t0;
    console.log(`header: ${m.entries.size} keys, ${m.kvEnd} bytes, read in ${ms.toFixed(0)} ms`);
    expect(m.version).toBe(3);
    expect(m.tensorCount).toBe(272n);
    expect(m.string('general.architecture')).toBe('llama');
    expect(m.number('llama.block_count')).toBe(30);
    expect(m.number('llama.vocab_size')).toBe(49152);
    expect(m.number('llama.embedding_length')).toBe(576);
    expect(m.stringArray('tokenizer.ggml.tokens')).toHaveLength(49152);
    expect(m.stringArray('tokenizer.ggml.merges')).toHaveLength(48900);
    expect(m.string('tokenizer.ggml.pre')).toBe('smollm');
    expect(m.kvEnd).toBeLessThan(4_000_000);
  });

  it('reports the real header cut at many points as Truncated, and a patched count as BadHeader', async () => {
    const { kvEnd } = await readGgufMetadata(MODEL);
    const { open } = await import('node:fs/promises');
    const fh = await open(MODEL, 'r');
    const head = Buffer.alloc(kvEnd);
    await fh.read(head, 0, kvEnd, 0);
    await fh.close();
    const cuts = [0, 3, 4, 10, 23, 24, 40, 100, 1000, 10_000, 100_000, 500_000, 1_000_000, kvEnd - 100, kvEnd - 1];
    for (let i = 0; i < 20; i++) cuts.push(Math.floor(((i + 0.37) / 20) * kvEnd));
    for (const cut of cuts) expect(await codeOf(head.subarray(0, cut)), `cut at ${cut}`).toBe(ErrorCode.Truncated);
    // The tokens array count sits right after its key, type and element type.
    const key = Buffer.from('tokenizer.ggml.tokens');
    const at = head.indexOf(key) + key.length + 4 + 4;
    expect(head.readBigUInt64LE(at)).toBe(49152n);
    const patched = Buffer.from(head);
    patched.writeBigUInt64LE(2n ** 61n, at);
    expect(await codeOf(patched)).toBe(ErrorCode.BadHeader);
    patched.writeBigUInt64LE(BigInt(GGUF_LIMITS.maxArrayLength), at);
    expect(await codeOf(patched)).toBe(ErrorCode.Truncated);
  });
});

if (!hasModel) {
  it.skip(`SmolLM2 GGUF checks skipped: ${MODEL} is absent`, () => {});
}
