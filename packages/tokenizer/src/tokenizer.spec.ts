// Unit tests of the Tokenizer on a toy vocab (merge order, specials, post-processor,
// ignore_merges) and of the GGUF/tokenizer.json validation errors.
import { describe, expect, it } from 'vitest';
import { DatarusError, ErrorCode } from '@datarus/contracts';
import { GgufMetadata } from './gguf/gguf-metadata.js';
import { Tokenizer } from './tokenizer.js';

// A toy byte-level vocab: all single bytes of 'abc Ġ', and merges whose ranks
// make the merge order observable.
const toyJson = (extra: Record<string, unknown> = {}) => ({
  model: {
    type: 'BPE',
    vocab: { a: 0, b: 1, c: 2, Ġ: 3, ab: 4, bc: 5, abc: 6, Ġa: 7, '<|end|>': 8, Ġab: 9, '1': 10, '2': 11, '12': 12 },
    merges: ['b c', ['a', 'b'], 'ab c', 'Ġ a', 'Ġa b', '1 2'],
    ...extra,
  },
  added_tokens: [{ id: 8, content: '<|end|>', special: true }],
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, use_regex: true },
  decoder: { type: 'ByteLevel' },
});

describe('Tokenizer on a toy vocab', () => {
  const tok = Tokenizer.fromTokenizerJson(toyJson(), { eos_token: '<|end|>' });

  it('applies merges by rank, leftmost first', () => {
    // 'b c' (rank 0) beats 'a b' (rank 1): abc -> a bc, and no merge 'a bc' exists.
    expect(tok.encode('abc')).toEqual([0, 5]);
    expect(tok.encode('ab')).toEqual([4]);
    expect(tok.encode('aab')).toEqual([0, 4]);
    // 'a b' (rank 1) fires before 'Ġ a' (rank 3), so 'Ġab' is never reached.
    expect(tok.encode(' ab')).toEqual([3, 4]);
    expect(tok.encode(' a')).toEqual([7]);
    expect(tok.encode('12')).toEqual([12]);
  });

  it('recognises special tokens only when allowed, and skips them on request', () => {
    expect(tok.encode('ab<|end|>')).toEqual([4, 8]);
    expect(tok.encode('ab<|end|>', { allowSpecial: false })).not.toContain(8);
    expect(tok.decode([4, 8, 4])).toBe('ab<|end|>ab');
    expect(tok.decode([4, 8, 4], { skipSpecial: true })).toBe('abab');
    expect(tok.eosId).toBe(8);
    expect(tok.eosToken).toBe('<|end|>');
    expect([...tok.specialIds]).toEqual([8]);
  });

  it('honours ignore_merges (whole-word vocab hits skip merging)', () => {
    const lm = Tokenizer.fromTokenizerJson(toyJson({ ignore_merges: true }));
    expect(lm.encode('abc')).toEqual([6]);
    expect(tok.encode('abc')).toEqual([0, 5]);
  });

  it('adds prefix/suffix ids from a TemplateProcessing post-processor only with addSpecial', () => {
    const json = {
      ...toyJson(),
      post_processor: {
        type: 'TemplateProcessing',
        single: [{ SpecialToken: { id: '<|end|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
        special_tokens: { '<|end|>': { id: '<|end|>', ids: [8], tokens: ['<|end|>'] } },
      },
    };
    const t = Tokenizer.fromTokenizerJson(json);
    expect(t.encode('ab', { addSpecial: true })).toEqual([8, 4]);
    expect(t.encode('ab')).toEqual([4]);
  });

  it('rejects what it cannot represent with BadTokenizer', () => {
    const cases: unknown[] = [
      { ...toyJson(), model: { type: 'Unigram', vocab: [] } },
      { ...toyJson(), pre_tokenizer: { type: 'Metaspace' } },
      { ...toyJson(), pre_tokenizer: null },
      { ...toyJson(), model: { ...toyJson().model, merges: ['a zz'] } },
      { ...toyJson(), model: { ...toyJson().model, merges: ['nospace'] } },
      { ...toyJson(), normalizer: { type: 'Precompiled' } },
      'not an object',
    ];
    for (const j of cases) {
      let err: unknown;
      try {
        Tokenizer.fromTokenizerJson(j);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(j).slice(0, 80)).toBeInstanceOf(DatarusError);
      expect((err as DatarusError).code).toBe(ErrorCode.BadTokenizer);
    }
  });

  it('rejects token ids outside the vocab in decode', () => {
    expect(() => tok.decode([99])).toThrowError(expect.objectContaining({ code: ErrorCode.TokenOutOfRange }));
    expect(() => tok.tokenToBytes(-1)).toThrowError(expect.objectContaining({ code: ErrorCode.TokenOutOfRange }));
  });
});

describe('Tokenizer.fromGguf validation', () => {
  const base = {
    'tokenizer.ggml.model': 'gpt2',
    'tokenizer.ggml.tokens': ['a', 'b', 'ab'],
    'tokenizer.ggml.token_type': [1, 1, 1],
    'tokenizer.ggml.merges': ['a b'],
  };
  it('builds from minimal metadata', () => {
    expect(Tokenizer.fromGguf(GgufMetadata.fromObject(base)).encode('abab')).toEqual([2, 2]);
  });
  it('rejects unsupported or inconsistent metadata with BadTokenizer', () => {
    const bad = [
      { ...base, 'tokenizer.ggml.model': 'llama' },
      { ...base, 'tokenizer.ggml.pre': 'no-such-pre' },
      { ...base, 'tokenizer.ggml.token_type': [1] },
      { ...base, 'tokenizer.ggml.eos_token_id': 7 },
      { 'general.architecture': 'llama' },
    ];
    for (const kv of bad) {
      expect(() => Tokenizer.fromGguf(GgufMetadata.fromObject(kv))).toThrowError(
        expect.objectContaining({ code: ErrorCode.BadTokenizer }),
      );
    }
  });
});
