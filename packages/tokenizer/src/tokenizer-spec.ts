// The format-neutral description a Tokenizer is built from. fromGguf and
// fromTokenizerJson each translate their source into one of these, so the encoding
// and decoding code knows nothing about either file format.
import type { PreTokenizerStep } from './bpe/pre-tokenizer.js';

/** A token matched verbatim in the input before pre-tokenization. */
export interface AddedToken {
  id: number;
  /** Literal text (not byte-level mapped). */
  content: string;
  /** Control tokens: matched only when encode's allowSpecial is set, skippable in decode. */
  special: boolean;
  /** Swallow whitespace to the left / right of a match (Hugging Face lstrip/rstrip). */
  lstrip?: boolean;
  rstrip?: boolean;
}

export type NormalizerStep = 'NFC' | 'NFD' | 'NFKC' | 'NFKD' | 'lowercase';

export interface TokenizerSpec {
  /** id -> token; byte-level strings for model tokens, literal text for added ones. Holes allowed. */
  tokens: (string | undefined)[];
  /** Merge rules, highest priority first, as pairs of byte-level strings. */
  merges: (readonly [string, string])[];
  added: AddedToken[];
  preTokenizer: PreTokenizerStep[];
  normalizer?: NormalizerStep[];
  /** Use a word's own vocab entry when present instead of merging (Llama-3). */
  ignoreMerges?: boolean;
  unkId?: number;
  bosId?: number;
  eosId?: number;
  padId?: number;
  /** Ids put before / after the text when encoding with addSpecial. */
  prefixIds?: number[];
  suffixIds?: number[];
  chatTemplate?: string;
}
