// loadTokenizer on Hugging Face directories built in a temp dir, on the real
// SmolLM2 GGUF, and on the paths that must fail with a clear code.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@datarus/contracts';
import { suiteTempDir } from '../../../test/support/temp-dir.js';
import { loadTokenizer } from './load-tokenizer.js';

const MODEL = fileURLToPath(new URL('../../../models/SmolLM2-135M-Instruct.Q4_1.gguf', import.meta.url));

const TOKENIZER_JSON = {
  version: '1.0',
  model: { type: 'BPE', vocab: { h: 0, i: 1, hi: 2, Ġ: 3, '<s>': 4, '</s>': 5 }, merges: [['h', 'i']] },
  added_tokens: [
    { id: 4, content: '<s>', special: true },
    { id: 5, content: '</s>', special: true },
  ],
  normalizer: { type: 'NFC' },
  pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'ByteLevel', add_prefix_space: false, use_regex: true }] },
  decoder: { type: 'ByteLevel' },
};

const dir = suiteTempDir('load-tok');

async function modelDir(name: string, files: Record<string, string>): Promise<string> {
  const d = join(dir(), name);
  await mkdir(d);
  for (const [f, text] of Object.entries(files)) await writeFile(join(d, f), text);
  return d;
}

describe('loadTokenizer', () => {
  it('loads a Hugging Face directory with tokenizer_config.json', async () => {
    const d = await modelDir('hf', {
      'tokenizer.json': JSON.stringify(TOKENIZER_JSON),
      'tokenizer_config.json': JSON.stringify({
        bos_token: '<s>',
        eos_token: { content: '</s>' },
        add_bos_token: true,
        chat_template: '{{ bos_token }}{% for m in messages %}{{ m.content }}{{ eos_token }}{% endfor %}',
      }),
    });
    const tok = await loadTokenizer(d);
    expect(tok.bosId).toBe(4);
    expect(tok.eosId).toBe(5);
    expect(tok.encode('hi')).toEqual([2]);
    expect(tok.encode('hi', { addSpecial: true })).toEqual([4, 2]);
    expect(tok.applyChatTemplate([{ role: 'user', content: 'hi' }])).toBe('<s>hi</s>');
  });

  it('prefers chat_template.jinja when present', async () => {
    const d = await modelDir('jinja', {
      'tokenizer.json': JSON.stringify(TOKENIZER_JSON),
      'chat_template.jinja': '{% for m in messages %}[{{ m.role }}]{% endfor %}\n',
    });
    expect((await loadTokenizer(d)).applyChatTemplate([{ role: 'user', content: 'x' }])).toBe('[user]');
  });

  it('gives clear errors', async () => {
    await expect(loadTokenizer(join(dir(), 'missing'))).rejects.toMatchObject({ code: ErrorCode.FileNotFound });
    const empty = await modelDir('empty', {});
    await expect(loadTokenizer(empty)).rejects.toMatchObject({ code: ErrorCode.FileNotFound, message: expect.stringMatching(/tokenizer\.json/) });
    const broken = await modelDir('broken', { 'tokenizer.json': '{ not json' });
    await expect(loadTokenizer(broken)).rejects.toMatchObject({ code: ErrorCode.BadTokenizer });
    await writeFile(join(dir(), 'weights.bin'), 'x');
    await expect(loadTokenizer(join(dir(), 'weights.bin'))).rejects.toMatchObject({ code: ErrorCode.BadTokenizer });
    await writeFile(join(dir(), 'fake.gguf'), 'definitely not gguf');
    await expect(loadTokenizer(join(dir(), 'fake.gguf'))).rejects.toMatchObject({ code: ErrorCode.BadMagic });
    const noTemplate = await loadTokenizer(await modelDir('plain', { 'tokenizer.json': JSON.stringify(TOKENIZER_JSON) }));
    expect(() => noTemplate.applyChatTemplate([])).toThrowError(expect.objectContaining({ code: ErrorCode.BadTemplate }));
  });

  it.skipIf(!existsSync(MODEL))('loads the SmolLM2 GGUF', async () => {
    const tok = await loadTokenizer(MODEL);
    expect(tok.vocabSize).toBe(49152);
    expect(tok.decode(tok.encode('Hello, world!'))).toBe('Hello, world!');
  });
});
