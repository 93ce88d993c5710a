// Translates a Hugging Face tokenizer.json (and optionally tokenizer_config.json)
// into a TokenizerSpec. Supported: model BPE (vocab + merges as "a b" strings or
// [a, b] pairs, ignore_merges), added_tokens, normalizers NFC/NFD/NFKC/NFKD/
// Lowercase/Sequence, pre-tokenizers ByteLevel/Split/Digits/Sequence, and a
// TemplateProcessing/Bert/Roberta post-processor for addSpecial. Anything else is
// rejected with BadTokenizer rather than approximated.
import { DatarusError, ErrorCode } from '@datarus/contracts';
import type { PreTokenizerStep, SplitBehavior } from './bpe/pre-tokenizer.js';
import type { AddedToken, NormalizerStep, TokenizerSpec } from './tokenizer-spec.js';

/** The parts of tokenizer_config.json we read. Tokens may be strings or {content}. */
export interface TokenizerConfigJson {
  chat_template?: string | { name: string; template: string }[] | null;
  bos_token?: string | { content: string } | null;
  eos_token?: string | { content: string } | null;
  pad_token?: string | { content: string } | null;
  unk_token?: string | { content: string } | null;
  add_bos_token?: boolean;
  add_eos_token?: boolean;
  [key: string]: unknown;
}

type Json = Record<string, unknown>;

export function specFromTokenizerJson(json: unknown, config: TokenizerConfigJson = {}): TokenizerSpec {
  const root = obj(json, 'tokenizer.json');
  const model = obj(root.model, 'model');
  if (model.type !== undefined && model.type !== 'BPE') throw bad(`model.type '${String(model.type)}' is not BPE`);
  if (model.continuing_subword_prefix || model.end_of_word_suffix) {
    throw bad('BPE with continuing_subword_prefix / end_of_word_suffix is not supported');
  }
  const vocab = obj(model.vocab, 'model.vocab');
  const tokens: (string | undefined)[] = [];
  for (const [tok, id] of Object.entries(vocab)) tokens[checkId(id, `vocab entry '${tok}'`)] = tok;
  const merges = arr(model.merges ?? [], 'model.merges').map((m, i) => parseMerge(m, i));
  const added: AddedToken[] = arr(root.added_tokens ?? [], 'added_tokens').map((t, i) => {
    const o = obj(t, `added_tokens[${i}]`);
    if (typeof o.content !== 'string') throw bad(`added_tokens[${i}].content is not a string`);
    return {
      id: checkId(o.id, `added_tokens[${i}].id`),
      content: o.content,
      special: o.special === true,
      lstrip: o.lstrip === true,
      rstrip: o.rstrip === true,
    };
  });
  const steps = root.pre_tokenizer == null ? [] : preTokenizer(obj(root.pre_tokenizer, 'pre_tokenizer'));
  if (!steps.some((s) => s.type === 'byte_level')) {
    throw bad('pre_tokenizer has no ByteLevel step: only byte-level BPE is supported');
  }
  const idOf = (t: TokenizerConfigJson['bos_token'], what: string): number | undefined => {
    if (t == null) return undefined;
    const s = typeof t === 'string' ? t : t.content;
    const a = added.find((x) => x.content === s);
    const id = a ? a.id : typeof vocab[s] === 'number' ? (vocab[s] as number) : undefined;
    if (id === undefined) throw bad(`tokenizer_config ${what} '${s}' is not in the vocab`);
    return id;
  };
  const unkName = typeof model.unk_token === 'string' ? model.unk_token : undefined;
  const bosId = idOf(config.bos_token, 'bos_token');
  const eosId = idOf(config.eos_token, 'eos_token');
  const post = postProcessor(root.post_processor, added, vocab);
  if (config.add_bos_token && bosId !== undefined && !post.prefix.includes(bosId)) post.prefix.unshift(bosId);
  if (config.add_eos_token && eosId !== undefined && !post.suffix.includes(eosId)) post.suffix.push(eosId);
  return {
    tokens,
    merges,
    added,
    preTokenizer: steps,
    normalizer: root.normalizer == null ? [] : normalizer(obj(root.normalizer, 'normalizer')),
    ignoreMerges: model.ignore_merges === true,
    unkId: unkName === undefined ? undefined : idOf(unkName, 'model.unk_token'),
    bosId,
    eosId,
    padId: idOf(config.pad_token, 'pad_token'),
    prefixIds: post.prefix,
    suffixIds: post.suffix,
    chatTemplate: chatTemplateOf(config.chat_template),
  };
}

function chatTemplateOf(t: TokenizerConfigJson['chat_template']): string | undefined {
  if (t == null || typeof t === 'string') return t ?? undefined;
  if (!Array.isArray(t)) throw bad('tokenizer_config chat_template is neither a string nor a list');
  return (t.find((x) => x.name === 'default') ?? t[0])?.template;
}

function parseMerge(m: unknown, i: number): readonly [string, string] {
  if (typeof m === 'string') {
    const at = m.indexOf(' ', 1);
    if (at < 0) throw bad(`merge #${i} '${m}' has no space`);
    return [m.slice(0, at), m.slice(at + 1)];
  }
  if (Array.isArray(m) && m.length === 2 && typeof m[0] === 'string' && typeof m[1] === 'string') {
    return [m[0], m[1]];
  }
  throw bad(`merge #${i} is neither "a b" nor ["a", "b"]`);
}

function normalizer(n: Json): NormalizerStep[] {
  switch (n.type) {
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD':
      return [n.type];
    case 'Lowercase':
      return ['lowercase'];
    case 'Sequence':
      return arr(n.normalizers, 'normalizer.normalizers').flatMap((x) => normalizer(obj(x, 'normalizer')));
    default:
      throw bad(`normalizer '${String(n.type)}' is not supported`);
  }
}

const BEHAVIORS: Record<string, SplitBehavior> = {
  Isolated: 'isolated',
  Removed: 'removed',
  MergedWithPrevious: 'merged_with_previous',
  MergedWithNext: 'merged_with_next',
  Contiguous: 'contiguous',
};

function preTokenizer(p: Json): PreTokenizerStep[] {
  switch (p.type) {
    case 'Sequence':
      return arr(p.pretokenizers, 'pretokenizers').flatMap((x) => preTokenizer(obj(x, 'pre_tokenizer')));
    case 'ByteLevel':
      return [{ type: 'byte_level', addPrefixSpace: p.add_prefix_space === true, useRegex: p.use_regex !== false }];
    case 'Digits':
      return [{ type: 'digits', individual: p.individual_digits === true }];
    case 'Split': {
      const pat = obj(p.pattern, 'Split.pattern');
      const behavior = BEHAVIORS[String(p.behavior)];
      if (!behavior) throw bad(`Split behavior '${String(p.behavior)}' is not supported`);
      const src = typeof pat.Regex === 'string' ? pat.Regex : pat.String;
      if (typeof src !== 'string') throw bad('Split.pattern has neither Regex nor String');
      return [{ type: 'split', pattern: src, literal: typeof pat.Regex !== 'string', behavior, invert: p.invert === true }];
    }
    default:
      throw bad(`pre_tokenizer '${String(p.type)}' is not supported`);
  }
}

function postProcessor(p: unknown, added: AddedToken[], vocab: Json): { prefix: number[]; suffix: number[] } {
  const none = { prefix: [], suffix: [] };
  if (p == null) return none;
  const o = obj(p, 'post_processor');
  const lookup = (tok: string) => added.find((a) => a.content === tok)?.id ?? (vocab[tok] as number | undefined);
  switch (o.type) {
    case 'Sequence': {
      const out = { prefix: [] as number[], suffix: [] as number[] };
      for (const x of arr(o.processors, 'post_processor.processors')) {
        const r = postProcessor(x, added, vocab);
        out.prefix.push(...r.prefix);
        out.suffix.unshift(...r.suffix);
      }
      return out;
    }
    case 'TemplateProcessing': {
      const items = arr(o.single, 'post_processor.single').map((x) => obj(x, 'template item'));
      const seqAt = items.findIndex((x) => 'Sequence' in x);
      const ids = (xs: Json[]) =>
        xs.flatMap((x) => {
          const id = obj(x.SpecialToken, 'SpecialToken').id as string;
          const spec = (o.special_tokens as Json | undefined)?.[id] as Json | undefined;
          return Array.isArray(spec?.ids) ? (spec.ids as number[]) : [lookup(id) ?? fail(`post-processor token '${id}'`)];
        });
      return { prefix: ids(items.slice(0, seqAt)), suffix: ids(items.slice(seqAt + 1)) };
    }
    case 'BertProcessing':
    case 'RobertaProcessing': {
      const cls = arr(o.cls, 'cls')[1] as number;
      const sep = arr(o.sep, 'sep')[1] as number;
      return { prefix: [cls], suffix: [sep] };
    }
    case 'ByteLevel':
      return none;
    default:
      throw bad(`post_processor '${String(o.type)}' is not supported`);
  }
}

function fail(what: string): never {
  throw bad(`${what} is not in the vocab`);
}

function checkId(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= 1 << 24) throw bad(`${what}: bad id ${String(v)}`);
  return v;
}

function obj(v: unknown, what: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(`${what} is not an object`);
  return v as Json;
}

function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw bad(`${what} is not an array`);
  return v;
}

function bad(msg: string): DatarusError {
  return new DatarusError(ErrorCode.BadTokenizer, `tokenizer.json: ${msg}`);
}
