// Cross-checks the TypeScript byte-level BPE against Hugging Face `tokenizers`
// (Rust, run from Python in .cache/pyref, set up by scripts/pyref.sh) on the real
// SmolLM2 vocab and merges: token ids must match exactly for every corpus string,
// for SmolLM2's own pre-tokenizer and for Llama-3 / Qwen2 style regex splits.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { suiteTempDir } from '../../../test/support/temp-dir.js';
import { GgufMetadata, LLAMA3_PATTERN, QWEN2_PATTERN, readGgufMetadata, Tokenizer } from '../src/index.js';
import { CORPUS } from './corpus.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MODEL = join(ROOT, 'models/SmolLM2-135M-Instruct.Q4_1.gguf');
const PYTHON = join(ROOT, '.cache/pyref/bin/python');
const hasModel = existsSync(MODEL);

interface RefResult {
  ids: number[][];
  decoded: string[];
  tokenizer_json: string;
}

const CONFIGS = [
  { name: 'smollm', kind: 'digits+bytelevel', ggufPre: 'smollm' },
  { name: 'llama3', kind: 'split+bytelevel', pattern: LLAMA3_PATTERN, ignore_merges: true, ggufPre: 'llama-bpe' },
  { name: 'qwen2', kind: 'split+bytelevel', pattern: QWEN2_PATTERN, ggufPre: 'qwen2' },
];

/** Index and detail of each corpus string whose ids differ. */
function mismatches(got: number[][], want: number[][]): string[] {
  const out: string[] = [];
  want.forEach((w, i) => {
    const g = got[i];
    if (g.length !== w.length || g.some((x, j) => x !== w[j])) {
      out.push(`#${i} ${JSON.stringify(CORPUS[i]).slice(0, 60)}\n   ts: ${JSON.stringify(g)}\n  ref: ${JSON.stringify(w)}`);
    }
  });
  return out;
}

describe.skipIf(!hasModel)('byte-level BPE vs Hugging Face tokenizers (SmolLM2 vocab)', () => {
  let meta: GgufMetadata;
  let ref: Record<string, RefResult>;
  const dir = suiteTempDir('bpe-ref');

  beforeAll(async () => {
    // Idempotent and quick when the venv is already there; installs it when it is not.
    execFileSync('bash', [join(ROOT, 'scripts/pyref.sh')], { stdio: 'inherit', timeout: 600_000 });
    meta = await readGgufMetadata(MODEL);
    const tokens = meta.stringArray('tokenizer.ggml.tokens')!;
    const types = meta.numberArray('tokenizer.ggml.token_type')!;
    const input = {
      vocab: Object.fromEntries(tokens.map((t, id) => [t, id])),
      merges: meta.stringArray('tokenizer.ggml.merges')!.map((m) => m.split(' ')),
      special: tokens.filter((_, id) => types[id] === 3),
      corpus: CORPUS,
      configs: CONFIGS,
    };
    await writeFile(join(dir(), 'in.json'), JSON.stringify(input));
    const script = fileURLToPath(new URL('./bpe_reference.py', import.meta.url));
    execFileSync(PYTHON, [script, join(dir(), 'in.json'), join(dir(), 'out.json')], { stdio: 'inherit', timeout: 300_000 });
    ref = JSON.parse(await readFile(join(dir(), 'out.json'), 'utf8'));
  }, 900_000);

  for (const cfg of CONFIGS) {
    it(`fromGguf (pre '${cfg.ggufPre}') matches the reference ids exactly`, () => {
      const entries = new Map(meta.entries);
      entries.set('tokenizer.ggml.pre', { type: 8, value: cfg.ggufPre });
      const tok = Tokenizer.fromGguf(new GgufMetadata(meta.version, meta.tensorCount, entries));
      const got = CORPUS.map((s) => tok.encode(s));
      const bad = mismatches(got, ref[cfg.name].ids);
      console.log(`${cfg.name}/gguf: ${CORPUS.length - bad.length}/${CORPUS.length} strings match`);
      expect(bad, bad.join('\n')).toEqual([]);
    });

    it(`fromTokenizerJson(the library's own tokenizer.json, ${cfg.name}) matches ids and decodes`, () => {
      const tok = Tokenizer.fromTokenizerJson(JSON.parse(ref[cfg.name].tokenizer_json));
      const got = CORPUS.map((s) => tok.encode(s));
      const bad = mismatches(got, ref[cfg.name].ids);
      console.log(`${cfg.name}/json: ${CORPUS.length - bad.length}/${CORPUS.length} strings match`);
      expect(bad, bad.join('\n')).toEqual([]);
      expect(ref[cfg.name].ids.map((ids) => tok.decode(ids))).toEqual(ref[cfg.name].decoded);
    });
  }

  it('round-trips decode(encode(s)) === s for the whole corpus', () => {
    const tok = Tokenizer.fromGguf(meta);
    for (const s of CORPUS) {
      expect(tok.decode(tok.encode(s))).toBe(s);
      expect(tok.decode(tok.encode(s, { allowSpecial: false }))).toBe(s);
    }
  });
});

if (!hasModel) it.skip(`reference comparison skipped: ${MODEL} is absent`, () => {});
