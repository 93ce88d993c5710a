// Translates GGUF tokenizer metadata (tokenizer.ggml.*) into a TokenizerSpec.
// Only byte-level BPE ('gpt2' model) is supported. The pre-tokenizer is picked by
// name from tokenizer.ggml.pre, as llama.cpp does; unknown names are an error
// rather than a silent fallback, since a wrong split changes every token id.
import { DatarusError, ErrorCode } from '@datarus/contracts';
import type { PreTokenizerStep } from './bpe/pre-tokenizer.js';
import { GPT2_PATTERN, LLAMA3_PATTERN, QWEN2_PATTERN } from './bpe/split-patterns.js';
import type { GgufMetadata } from './gguf/gguf-metadata.js';
import type { AddedToken, TokenizerSpec } from './tokenizer-spec.js';

/** GGUF token types (tokenizer.ggml.token_type). */
export const GgufTokenType = { Normal: 1, Unknown: 2, Control: 3, UserDefined: 4, Unused: 5, Byte: 6 } as const;

interface PreTokenizerPreset {
  steps: PreTokenizerStep[];
  ignoreMerges?: boolean;
}

const isolated = (pattern: string): PreTokenizerStep => ({ type: 'split', pattern, behavior: 'isolated' });

/** tokenizer.ggml.pre name -> pre-tokenizer. */
export const GGUF_PRE_TOKENIZERS: Readonly<Record<string, PreTokenizerPreset>> = {
  default: { steps: [isolated(GPT2_PATTERN)] },
  gpt2: { steps: [isolated(GPT2_PATTERN)] },
  smollm: { steps: [{ type: 'digits', individual: true }, isolated(GPT2_PATTERN)] },
  starcoder: { steps: [{ type: 'digits', individual: true }, isolated(GPT2_PATTERN)] },
  'llama-bpe': { steps: [isolated(LLAMA3_PATTERN)], ignoreMerges: true },
  llama3: { steps: [isolated(LLAMA3_PATTERN)], ignoreMerges: true },
  qwen2: { steps: [isolated(QWEN2_PATTERN)] },
};

export function specFromGguf(meta: GgufMetadata): TokenizerSpec {
  const model = meta.string('tokenizer.ggml.model');
  if (model === undefined) throw bad('no tokenizer.ggml.model key: the file carries no tokenizer');
  if (model !== 'gpt2') {
    throw bad(`tokenizer.ggml.model '${model}' is not supported (only byte-level BPE, 'gpt2')`);
  }
  const tokens = meta.stringArray('tokenizer.ggml.tokens');
  if (!tokens || tokens.length === 0) throw bad('tokenizer.ggml.tokens is missing or empty');
  const types = meta.numberArray('tokenizer.ggml.token_type');
  if (types && types.length !== tokens.length) {
    throw bad(`tokenizer.ggml.token_type has ${types.length} entries for ${tokens.length} tokens`);
  }
  const merges = (meta.stringArray('tokenizer.ggml.merges') ?? []).map((m, i) => {
    const at = m.indexOf(' ', 1);
    if (at < 0) throw bad(`merge #${i} '${m}' has no space`);
    return [m.slice(0, at), m.slice(at + 1)] as const;
  });
  const preName = meta.string('tokenizer.ggml.pre') ?? 'default';
  const pre = GGUF_PRE_TOKENIZERS[preName];
  if (!pre) {
    throw bad(`tokenizer.ggml.pre '${preName}' is not supported (known: ${Object.keys(GGUF_PRE_TOKENIZERS).join(', ')})`);
  }
  const added: AddedToken[] = [];
  types?.forEach((t, id) => {
    if (t === GgufTokenType.Control) added.push({ id, content: tokens[id], special: true });
    else if (t === GgufTokenType.UserDefined) added.push({ id, content: tokens[id], special: false });
  });
  const id = (key: string) => {
    const v = meta.number(`tokenizer.ggml.${key}`);
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v >= tokens.length)) {
      throw bad(`tokenizer.ggml.${key} ${v} is outside the vocab of ${tokens.length}`);
    }
    return v;
  };
  const bosId = id('bos_token_id');
  const eosId = id('eos_token_id');
  const addBos = meta.bool('tokenizer.ggml.add_bos_token') ?? false;
  const addEos = meta.bool('tokenizer.ggml.add_eos_token') ?? false;
  return {
    tokens,
    merges,
    added,
    preTokenizer: pre.steps,
    ignoreMerges: pre.ignoreMerges,
    unkId: id('unknown_token_id'),
    bosId,
    eosId,
    padId: id('padding_token_id'),
    prefixIds: addBos && bosId !== undefined ? [bosId] : [],
    suffixIds: addEos && eosId !== undefined ? [eosId] : [],
    chatTemplate: meta.string('tokenizer.chat_template') ?? meta.string('tokenizer.ggml.chat_template'),
  };
}

function bad(msg: string): DatarusError {
  return new DatarusError(ErrorCode.BadTokenizer, `GGUF tokenizer: ${msg}`);
}
