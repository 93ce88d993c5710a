// Writes a TokenizerSpec back out as Hugging Face files: tokenizer.json (byte-level
// BPE with its pre-tokenizer steps and added tokens) and tokenizer_config.json
// (chat template, bos/eos). Used when a model loaded from GGUF is saved as a
// Hugging Face directory, so the saved model carries the tokenizer it was trained with.
import type { PreTokenizerStep, SplitBehavior } from './bpe/pre-tokenizer.js';
import type { TokenizerSpec } from './tokenizer-spec.js';

const BEHAVIOR_NAMES: Record<SplitBehavior, string> = {
  isolated: 'Isolated',
  removed: 'Removed',
  merged_with_previous: 'MergedWithPrevious',
  merged_with_next: 'MergedWithNext',
  contiguous: 'Contiguous',
};

function preTokenizerJson(step: PreTokenizerStep): Record<string, unknown> {
  switch (step.type) {
    case 'split':
      return {
        type: 'Split',
        pattern: step.literal ? { String: step.pattern } : { Regex: step.pattern },
        behavior: BEHAVIOR_NAMES[step.behavior],
        invert: step.invert ?? false,
      };
    case 'digits':
      return { type: 'Digits', individual_digits: step.individual };
    case 'byte_level':
      return { type: 'ByteLevel', add_prefix_space: step.addPrefixSpace, trim_offsets: true, use_regex: step.useRegex };
  }
}

// GGUF specs leave the byte-level mapping implicit after their regex split;
// tokenizer.json spells it out as a final ByteLevel step without its own regex.
function preTokenizerSteps(spec: TokenizerSpec): PreTokenizerStep[] {
  if (spec.preTokenizer.some((s) => s.type === 'byte_level')) return spec.preTokenizer;
  return [...spec.preTokenizer, { type: 'byte_level', addPrefixSpace: false, useRegex: false }];
}

/** The tokenizer.json document for `spec`. */
export function toTokenizerJson(spec: TokenizerSpec): Record<string, unknown> {
  const added = new Set(spec.added.map((t) => t.id));
  const vocab: Record<string, number> = {};
  spec.tokens.forEach((t, id) => {
    if (t !== undefined && !added.has(id) && !(t in vocab)) vocab[t] = id;
  });
  for (const t of spec.added) vocab[t.content] ??= t.id;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: spec.added.map((t) => ({
      id: t.id,
      content: t.content,
      single_word: false,
      lstrip: t.lstrip ?? false,
      rstrip: t.rstrip ?? false,
      normalized: false,
      special: t.special,
    })),
    normalizer: spec.normalizer?.length
      ? { type: 'Sequence', normalizers: spec.normalizer.map((n) => ({ type: n === 'lowercase' ? 'Lowercase' : n })) }
      : null,
    pre_tokenizer: { type: 'Sequence', pretokenizers: preTokenizerSteps(spec).map(preTokenizerJson) },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: spec.unkId !== undefined ? (spec.tokens[spec.unkId] ?? null) : null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: spec.ignoreMerges ?? false,
      vocab,
      merges: spec.merges.map(([a, b]) => [a, b]),
    },
  };
}

/** The tokenizer_config.json document for `spec`. */
export function toTokenizerConfigJson(spec: TokenizerSpec, modelMaxLength?: number): Record<string, unknown> {
  const token = (id: number | undefined) => (id === undefined ? null : (spec.tokens[id] ?? null));
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: token(spec.bosId),
    eos_token: token(spec.eosId),
    unk_token: token(spec.unkId),
    pad_token: token(spec.padId),
    add_bos_token: (spec.prefixIds ?? []).length > 0,
    add_eos_token: (spec.suffixIds ?? []).length > 0,
    clean_up_tokenization_spaces: false,
    ...(modelMaxLength ? { model_max_length: modelMaxLength } : {}),
    ...(spec.chatTemplate ? { chat_template: spec.chatTemplate } : {}),
  };
}
