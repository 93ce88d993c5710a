// Corrupt and missing model files reach TypeScript as DatarusError codes, and the
// process (the addon, the test runner) survives every one.
import { closeSync, copyFileSync, mkdirSync, openSync, readSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { suiteTempDir } from '../../../test/support/temp-dir.js';
import { Engine } from '../src/index.js';
import { runPython } from './python.js';

const MODEL = fileURLToPath(new URL('../../../models/SmolLM2-135M-Instruct.Q4_1.gguf', import.meta.url));
const dir = suiteTempDir('bad');

/** The first `bytes` bytes of a file, without reading the rest. */
function headOf(path: string, bytes: number): Buffer {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(bytes);
  readSync(fd, buf, 0, bytes, 0);
  closeSync(fd);
  return buf;
}

describe('bad model files', () => {
  it('missing path', async () => {
    await expect(Engine.load(join(dir(), 'nope.gguf'))).rejects.toMatchObject({ code: 'E_FILE_NOT_FOUND' });
    await expect(Engine.load('')).rejects.toMatchObject({ code: 'E_INVALID_ARGUMENT' });
  });

  it('a GGUF with bad magic, a truncated header, or truncated tensor data', async () => {
    const head = headOf(MODEL, 4 << 20);
    const magic = Buffer.from(head);
    magic.write('GGML', 0);
    writeFileSync(join(dir(), 'magic.gguf'), magic);
    await expect(Engine.load(join(dir(), 'magic.gguf'))).rejects.toMatchObject({ code: 'E_BAD_MAGIC' });
    writeFileSync(join(dir(), 'header.gguf'), head.subarray(0, 100_000));
    await expect(Engine.load(join(dir(), 'header.gguf'))).rejects.toMatchObject({ code: 'E_TRUNCATED' });
    writeFileSync(join(dir(), 'data.gguf'), head);
    await expect(Engine.load(join(dir(), 'data.gguf'))).rejects.toMatchObject({ code: 'E_TRUNCATED' });
    const version = Buffer.from(head);
    version.writeUInt32LE(99, 4);
    writeFileSync(join(dir(), 'version.gguf'), version);
    await expect(Engine.load(join(dir(), 'version.gguf'))).rejects.toMatchObject({ code: 'E_BAD_MAGIC' });
  });

  it('safetensors with a huge header, an unknown dtype, or absurd offsets', async () => {
    runPython(fileURLToPath(new URL('./reference_model.py', import.meta.url)), [join(dir(), 'ref')]);
    const src = join(dir(), 'ref', 'model');
    const cases: [string, (b: Buffer) => Buffer, string][] = [
      ['header too large', (b) => (b.writeBigUInt64LE(1n << 40n, 0), b), 'E_BAD_HEADER'],
      ['unknown dtype', (b) => Buffer.from(b.toString('latin1').replace('"F32"', '"X32"'), 'latin1'), 'E_UNKNOWN_DTYPE'],
      ['offsets disagreeing with the shape', (b) => Buffer.from(b.toString('latin1').replace('"data_offsets": [0, ', '"data_offsets": [4, '), 'latin1'), 'E_BAD_TENSOR'],
      ['truncated data', (b) => b.subarray(0, b.length - 1000), 'E_TRUNCATED'],
    ];
    for (const [name, mutate, code] of cases) {
      const target = join(dir(), name.replace(/ /g, '-'));
      mkdirSync(target, { recursive: true });
      for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) copyFileSync(join(src, f), join(target, f));
      writeFileSync(join(target, 'model.safetensors'), mutate(readFileSync(join(src, 'model.safetensors'))));
      await expect(Engine.load(target), name).rejects.toMatchObject({ code });
    }
  });

  it('a malformed config.json', async () => {
    const target = join(dir(), 'badconfig');
    mkdirSync(target, { recursive: true });
    writeFileSync(join(target, 'config.json'), '{"model_type": "llama", "hidden_size": -3}');
    await expect(Engine.load(target)).rejects.toMatchObject({ code: 'E_BAD_CONFIG' });
    writeFileSync(join(target, 'config.json'), '{"model_type": ');
    await expect(Engine.load(target)).rejects.toMatchObject({ code: 'E_BAD_HEADER' });
  });
});
