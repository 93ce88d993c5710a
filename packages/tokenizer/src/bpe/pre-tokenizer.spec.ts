// Split patterns (regex translation), pre-tokenizer steps and the byte-level map.
import { describe, expect, it } from 'vitest';
import { compilePreTokenizer, type PreTokenizerStep } from './pre-tokenizer.js';
import { compileSplitPattern, GPT2_PATTERN, LLAMA3_PATTERN } from './split-patterns.js';
import { BYTE_TO_CHAR, fromByteLevel, toByteLevel } from './byte-level.js';

const run = (steps: PreTokenizerStep[], text: string) => compilePreTokenizer(steps)(text);

describe('split patterns', () => {
  it('splits like GPT-2', () => {
    const re = compileSplitPattern(GPT2_PATTERN);
    expect("I'm here  now 123!".match(re)).toEqual(['I', "'m", ' here', ' ', ' now', ' 123', '!']);
  });

  it('makes (?i:...) groups case-insensitive and keeps the rest case-sensitive', () => {
    const re = compileSplitPattern(LLAMA3_PATTERN);
    expect("DON'T don't".match(re)).toEqual(['DON', "'T", ' don', "'t"]);
    expect('12345'.match(re)).toEqual(['123', '45']);
  });

  it('treats \\s as Unicode White_Space (U+0085 yes, U+FEFF no)', () => {
    const re = compileSplitPattern('\\s+');
    expect('a\u0085b\ufeffc'.match(re)).toEqual(['\u0085']);
  });
});

describe('pre-tokenizer steps', () => {
  it('isolates digits individually or in runs', () => {
    expect(run([{ type: 'digits', individual: true }], 'ab123c')).toEqual(['ab', '1', '2', '3', 'c']);
    expect(run([{ type: 'digits', individual: false }], 'ab123c')).toEqual(['ab', '123', 'c']);
  });

  it('implements every split behaviour', () => {
    const split = (behavior: 'isolated' | 'removed' | 'merged_with_previous' | 'merged_with_next' | 'contiguous') =>
      run([{ type: 'split', pattern: '-', behavior }], 'a-b--c');
    expect(split('isolated')).toEqual(['a', '-', 'b', '-', '-', 'c']);
    expect(split('removed')).toEqual(['a', 'b', 'c']);
    expect(split('merged_with_previous')).toEqual(['a-', 'b-', '-', 'c']);
    expect(split('merged_with_next')).toEqual(['a', '-b', '-', '-c']);
    expect(split('contiguous')).toEqual(['a', '-', 'b', '--', 'c']);
    expect(run([{ type: 'split', pattern: '.', literal: true, behavior: 'removed' }], 'a.b')).toEqual(['a', 'b']);
    expect(run([{ type: 'split', pattern: '[a-z]+', behavior: 'removed', invert: true }], 'ab, cd')).toEqual(['ab', 'cd']);
  });

  it('adds a prefix space for ByteLevel(add_prefix_space)', () => {
    expect(run([{ type: 'byte_level', addPrefixSpace: true, useRegex: true }], 'hi there')).toEqual([' hi', ' there']);
    expect(run([{ type: 'byte_level', addPrefixSpace: false, useRegex: false }], 'hi there')).toEqual(['hi there']);
  });
});

describe('byte-level map', () => {
  it('is a bijection over all 256 bytes that round-trips UTF-8', () => {
    expect(new Set(BYTE_TO_CHAR).size).toBe(256);
    expect(BYTE_TO_CHAR[0x20]).toBe('Ġ');
    expect(BYTE_TO_CHAR[0x0a]).toBe('Ċ');
    expect(BYTE_TO_CHAR[0x41]).toBe('A');
    const s = 'héllo wörld 🦀\n\t\0';
    expect(new TextDecoder().decode(fromByteLevel(toByteLevel(s)))).toBe(s);
  });
});
