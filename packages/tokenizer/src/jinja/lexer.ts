// Jinja2 lexer for chat templates. Splits the source into text and tag tokens and
// applies whitespace control while doing so: `{%-`/`-%}` (and `{{-`, `{#-`, ...)
// strip all whitespace on that side, and the environment options Hugging Face uses
// (trim_blocks, lstrip_blocks, no keep_trailing_newline) are on by default.
import { templateError } from './errors.js';

export type Token =
  | { t: 'text'; v: string; pos: number }
  | { t: 'open'; kind: 'block' | 'var'; pos: number }
  | { t: 'close'; kind: 'block' | 'var'; pos: number }
  | { t: 'name'; v: string; pos: number }
  | { t: 'str'; v: string; pos: number }
  | { t: 'num'; v: number; pos: number }
  | { t: 'op'; v: string; pos: number }
  | { t: 'eof'; pos: number };

export interface LexOptions {
  trimBlocks?: boolean;
  lstripBlocks?: boolean;
  keepTrailingNewline?: boolean;
}

const OPS = ['**', '//', '==', '!=', '<=', '>=', '+', '-', '*', '/', '%', '~', '|', '(', ')', '[', ']', '{', '}', ',', '.', ':', '=', '<', '>'];
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', b: '\b', f: '\f', v: '\v', a: '\x07' };

export function lex(src: string, options: LexOptions = {}): Token[] {
  const trimBlocks = options.trimBlocks ?? true;
  const lstripBlocks = options.lstripBlocks ?? true;
  if (!options.keepTrailingNewline) src = src.replace(/\r?\n$/, '');
  const out: Token[] = [];
  let i = 0;
  let stripNext = false;
  let trimNewline = false;
  while (i < src.length) {
    const open = nextOpen(src, i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (stripNext) text = text.replace(/^\s+/, '');
    else if (trimNewline) text = text.replace(/^\r?\n/, '');
    stripNext = trimNewline = false;
    if (open < 0) {
      if (text) out.push({ t: 'text', v: text, pos: i });
      break;
    }
    const kindCh = src[open + 1];
    const mod = src[open + 2];
    if (mod === '-') text = text.replace(/\s+$/, '');
    else if (mod !== '+' && kindCh !== '{' && lstripBlocks && atLineStart(src, open)) text = text.replace(/[ \t]+$/, '');
    if (text) out.push({ t: 'text', v: text, pos: i });
    let j = open + 2 + (mod === '-' || mod === '+' ? 1 : 0);
    if (kindCh === '#') {
      const end = src.indexOf('#}', j);
      if (end < 0) throw templateError(src, open, 'unclosed comment');
      stripNext = src[end - 1] === '-';
      trimNewline = trimBlocks && src[end - 1] !== '+';
      i = end + 2;
      continue;
    }
    const kind = kindCh === '%' ? 'block' : 'var';
    out.push({ t: 'open', kind, pos: open });
    j = lexTag(src, j, kind, out);
    const close = out[out.length - 1];
    const closeMod = src[close.pos - 1];
    stripNext = closeMod === '-';
    trimNewline = kind === 'block' && trimBlocks && closeMod !== '+';
    i = j;
  }
  out.push({ t: 'eof', pos: src.length });
  return out;
}

/** True when only spaces/tabs stand between the previous newline (or the start) and `at`. */
function atLineStart(src: string, at: number): boolean {
  let k = at - 1;
  while (k >= 0 && (src[k] === ' ' || src[k] === '\t')) k--;
  return k < 0 || src[k] === '\n';
}

function nextOpen(src: string, from: number): number {
  for (let k = src.indexOf('{', from); k >= 0; k = src.indexOf('{', k + 1)) {
    const c = src[k + 1];
    if (c === '{' || c === '%' || c === '#') return k;
  }
  return -1;
}

/** Lexes the inside of a tag from `j`; pushes tokens up to and including the close. Returns the index after it. */
function lexTag(src: string, j: number, kind: 'block' | 'var', out: Token[]): number {
  const closer = kind === 'block' ? '%}' : '}}';
  let depth = 0;
  while (j < src.length) {
    const c = src[j];
    if (/\s/.test(c)) {
      j++;
      continue;
    }
    if (depth === 0 && (src.startsWith(closer, j) || ((c === '-' || c === '+') && src.startsWith(closer, j + 1)))) {
      const at = c === '-' || c === '+' ? j + 1 : j;
      out.push({ t: 'close', kind, pos: at });
      return at + 2;
    }
    if (c === "'" || c === '"') {
      const [v, end] = lexString(src, j);
      out.push({ t: 'str', v, pos: j });
      j = end;
      continue;
    }
    const num = /^(\d[\d_]*)(\.\d[\d_]*)?([eE][+-]?\d+)?/.exec(src.slice(j, j + 64));
    if (num) {
      out.push({ t: 'num', v: Number(num[0].replace(/_/g, '')), pos: j });
      j += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(j, j + 256));
    if (name) {
      out.push({ t: 'name', v: name[0], pos: j });
      j += name[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, j));
    if (!op) throw templateError(src, j, `unexpected character '${c}'`);
    if (op === '(' || op === '[' || op === '{') depth++;
    if (op === ')' || op === ']' || op === '}') depth = Math.max(0, depth - 1);
    out.push({ t: 'op', v: op, pos: j });
    j += op.length;
  }
  throw templateError(src, j, `unclosed tag: expected '${closer}'`);
}

function lexString(src: string, start: number): [string, number] {
  const q = src[start];
  let v = '';
  for (let j = start + 1; j < src.length; j++) {
    const c = src[j];
    if (c === q) return [v, j + 1];
    if (c !== '\\') {
      v += c;
      continue;
    }
    const n = src[++j];
    if (n in ESCAPES) v += ESCAPES[n];
    else if (n === 'x' || n === 'u' || n === 'U') {
      const len = n === 'x' ? 2 : n === 'u' ? 4 : 8;
      const hex = src.slice(j + 1, j + 1 + len);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw templateError(src, j - 1, `bad \\${n} escape`);
      v += String.fromCodePoint(parseInt(hex, 16));
      j += len;
    } else if (n === '\n') {
      // Backslash-newline continues the string.
    } else v += '\\' + (n ?? '');
  }
  throw templateError(src, start, 'unterminated string literal');
}
