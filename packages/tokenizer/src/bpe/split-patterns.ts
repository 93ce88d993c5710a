// Pre-tokenizer split patterns and their translation into JavaScript regexes.
// Hugging Face (Oniguruma) and llama.cpp patterns use two things JS lacks or reads
// differently: inline case-insensitive groups `(?i:...)`, which become explicit
// [xX] classes, and `\s`, which in those engines means Unicode White_Space (JS `\s`
// also matches U+FEFF and misses U+0085), so it becomes \p{White_Space}.
import { DatarusError, ErrorCode } from '@datarus/contracts';

/** GPT-2 / HF ByteLevel(use_regex=true). */
export const GPT2_PATTERN =
  "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

/** Llama-3 (llama.cpp 'llama-bpe'). */
export const LLAMA3_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** Qwen2 / Qwen2.5 (llama.cpp 'qwen2'): like Llama-3 but digits one at a time. */
export const QWEN2_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

const cache = new Map<string, RegExp>();

/** Compiles an Oniguruma-style split pattern to a global, Unicode-aware JS RegExp. */
export function compileSplitPattern(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (!re) {
    try {
      re = new RegExp(translate(pattern), 'gu');
    } catch (e) {
      throw new DatarusError(ErrorCode.BadTokenizer, `split pattern does not compile: ${pattern}`, { cause: e });
    }
    cache.set(pattern, re);
  }
  return new RegExp(re.source, re.flags);
}

/** Escapes `s` for use as a literal inside a JS regex. */
export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function translate(p: string): string {
  let out = '';
  let inClass = 0;
  /** Paren depths at which an open (?i: group started. */
  const caseless: number[] = [];
  let depth = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') {
      const n = p[i + 1];
      if (n === 's') out += '\\p{White_Space}';
      else if (n === 'S') out += '\\P{White_Space}';
      else out += c + (n ?? '');
      if ((n === 'p' || n === 'P') && p[i + 2] === '{') {
        const end = p.indexOf('}', i + 2);
        out += p.slice(i + 2, end + 1);
        i = end;
      } else i++;
      continue;
    }
    if (inClass) {
      if (c === '[') inClass++;
      else if (c === ']') inClass--;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = 1;
      out += c;
      if (p[i + 1] === '^') out += p[++i];
      if (p[i + 1] === ']') out += p[++i];
      continue;
    }
    if (c === '(') {
      depth++;
      if (p.startsWith('(?i:', i)) {
        caseless.push(depth);
        out += '(?:';
        i += 3;
        continue;
      }
    } else if (c === ')') {
      if (caseless[caseless.length - 1] === depth) caseless.pop();
      depth--;
    } else if (caseless.length > 0 && /[a-zA-Z]/.test(c)) {
      out += `[${c.toLowerCase()}${c.toUpperCase()}]`;
      continue;
    }
    out += c;
  }
  return out;
}
