// Pre-tokenization: splits a text segment into the words BPE runs on, as a list of
// steps applied in order (Hugging Face's pre_tokenizer Sequence). Each step maps
// every current piece to sub-pieces. The byte-level mapping itself is done after
// the last step by the tokenizer, so pieces here are still plain text.
import { DatarusError, ErrorCode } from '@datarus/contracts';
import { compileSplitPattern, escapeRegex, GPT2_PATTERN } from './split-patterns.js';

export type SplitBehavior = 'isolated' | 'removed' | 'merged_with_previous' | 'merged_with_next' | 'contiguous';

export type PreTokenizerStep =
  | { type: 'split'; pattern: string; behavior: SplitBehavior; invert?: boolean; literal?: boolean }
  | { type: 'digits'; individual: boolean }
  | { type: 'byte_level'; addPrefixSpace: boolean; useRegex: boolean };

type PieceFn = (piece: string) => string[];

/** Compiles steps into one function from a text segment to its pre-tokens. */
export function compilePreTokenizer(steps: readonly PreTokenizerStep[]): (text: string) => string[] {
  const fns = steps.map(compileStep);
  return (text) => {
    let pieces = text.length > 0 ? [text] : [];
    for (const fn of fns) {
      const next: string[] = [];
      for (const p of pieces) for (const q of fn(p)) if (q.length > 0) next.push(q);
      pieces = next;
    }
    return pieces;
  };
}

function compileStep(step: PreTokenizerStep): PieceFn {
  switch (step.type) {
    case 'digits':
      return splitter(step.individual ? '\\p{N}' : '\\p{N}+', 'isolated', false);
    case 'byte_level': {
      const split = step.useRegex ? splitter(GPT2_PATTERN, 'isolated', false) : (p: string) => [p];
      return step.addPrefixSpace ? (p) => split(p.startsWith(' ') ? p : ' ' + p) : split;
    }
    case 'split': {
      const src = step.literal ? escapeRegex(step.pattern) : step.pattern;
      return splitter(src, step.behavior, step.invert ?? false);
    }
    default:
      throw new DatarusError(ErrorCode.BadTokenizer, `unknown pre-tokenizer step ${JSON.stringify(step)}`);
  }
}

/** Splits on regex matches, treating matches as delimiters handled per `behavior`. */
function splitter(pattern: string, behavior: SplitBehavior, invert: boolean): PieceFn {
  const re = compileSplitPattern(pattern);
  return (text) => {
    // Segments alternate gap/match; `delim` marks the delimiters after inversion.
    const segs: { s: string; delim: boolean }[] = [];
    let last = 0;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      if (m.index > last) segs.push({ s: text.slice(last, m.index), delim: invert });
      segs.push({ s: m[0], delim: !invert });
      last = m.index + m[0].length;
    }
    if (last < text.length) segs.push({ s: text.slice(last), delim: invert });
    return applyBehavior(segs, behavior);
  };
}

/** A delimiter joins the piece before it, unless that piece is itself a delimiter. */
function mergeDelims(segs: { s: string; delim: boolean }[], reversed = false): string[] {
  const out: string[] = [];
  let prevDelim = false;
  for (const x of segs) {
    if (x.delim && !prevDelim && out.length > 0) {
      out[out.length - 1] = reversed ? x.s + out[out.length - 1] : out[out.length - 1] + x.s;
    } else out.push(x.s);
    prevDelim = x.delim;
  }
  return out;
}

function applyBehavior(segs: { s: string; delim: boolean }[], behavior: SplitBehavior): string[] {
  switch (behavior) {
    case 'isolated':
      return segs.map((x) => x.s);
    case 'removed':
      return segs.filter((x) => !x.delim).map((x) => x.s);
    case 'merged_with_previous':
      return mergeDelims(segs);
    case 'merged_with_next':
      return mergeDelims([...segs].reverse(), true).reverse();
    case 'contiguous': {
      const out: string[] = [];
      let prevDelim = false;
      for (const x of segs) {
        if (x.delim && prevDelim && out.length > 0) out[out.length - 1] += x.s;
        else out.push(x.s);
        prevDelim = x.delim;
      }
      return out;
    }
  }
}
