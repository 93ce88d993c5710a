// A byte-level BPE tokenizer (GPT-2 family: SmolLM2, Llama-3, Qwen2). Encoding is
// added-token split -> normalize -> pre-tokenize -> byte-level map -> BPE per word,
// with a per-word cache. Departs from Hugging Face in one default: encode adds no
// BOS/EOS unless asked (addSpecial), since chat templates already write them.
import { DatarusError, ErrorCode } from '@datarus/contracts';
import { fromByteLevel, toByteLevel } from './bpe/byte-level.js';
import { BpeModel } from './bpe/bpe-model.js';
import { compilePreTokenizer } from './bpe/pre-tokenizer.js';
import { AddedTokenSplitter } from './added-token-splitter.js';
import { renderChatTemplate, type ChatMessage } from './chat-template.js';
import { specFromGguf } from './from-gguf.js';
import { specFromTokenizerJson, type TokenizerConfigJson } from './from-tokenizer-json.js';
import type { GgufMetadata } from './gguf/gguf-metadata.js';
import { StreamDecoder } from './stream-decoder.js';
import type { AddedToken, NormalizerStep, TokenizerSpec } from './tokenizer-spec.js';

export interface EncodeOptions {
  /** Put the tokenizer's BOS/EOS (or template prefix/suffix) around the text. Default false. */
  addSpecial?: boolean;
  /** Recognise special tokens such as <|im_start|> written in the text. Default true. */
  allowSpecial?: boolean;
}

export interface DecodeOptions {
  /** Leave out special (control) tokens. Default false. */
  skipSpecial?: boolean;
}

export interface ApplyChatTemplateOptions {
  addGenerationPrompt?: boolean;
  /** Extra template variables (tools, date_string, ...). */
  extra?: Record<string, unknown>;
}

const WORD_CACHE_MAX = 1 << 16;
const WORD_CACHE_MAX_LEN = 256;

export class Tokenizer {
  /** One past the largest token id. */
  readonly vocabSize: number;
  readonly bosId: number | undefined;
  readonly eosId: number | undefined;
  readonly unkId: number | undefined;
  readonly padId: number | undefined;
  /** Ids of control tokens (skipped by decode with skipSpecial). */
  readonly specialIds: ReadonlySet<number>;
  readonly chatTemplate: string | undefined;

  private readonly tokens: (string | undefined)[];
  private readonly added = new Map<number, AddedToken>();
  private readonly ids = new Map<string, number>();
  private readonly model: BpeModel;
  private readonly preTokenize: (text: string) => string[];
  private readonly splitter: AddedTokenSplitter;
  private readonly normalizer: NormalizerStep[];
  private readonly prefixIds: number[];
  private readonly suffixIds: number[];
  private readonly wordCache = new Map<string, number[]>();
  private readonly bytesCache: (Uint8Array | undefined)[] = [];

  /** The format-neutral description this tokenizer was built from. */
  readonly spec: TokenizerSpec;

  constructor(spec: TokenizerSpec) {
    this.spec = spec;
    this.tokens = [...spec.tokens];
    for (const t of spec.added) {
      this.checkId(t.id, `added token '${t.content}'`, false);
      this.added.set(t.id, t);
      this.tokens[t.id] = t.content;
    }
    this.vocabSize = this.tokens.length;
    this.tokens.forEach((t, id) => {
      if (t !== undefined && !this.ids.has(t)) this.ids.set(t, id);
    });
    for (const t of spec.added) this.ids.set(t.content, t.id);
    const check = (id: number | undefined, what: string) => (id === undefined ? undefined : this.checkId(id, what));
    this.bosId = check(spec.bosId, 'bos id');
    this.eosId = check(spec.eosId, 'eos id');
    this.unkId = check(spec.unkId, 'unknown-token id');
    this.padId = check(spec.padId, 'padding id');
    this.specialIds = new Set(spec.added.filter((t) => t.special).map((t) => t.id));
    this.chatTemplate = spec.chatTemplate;
    this.prefixIds = (spec.prefixIds ?? []).map((id) => this.checkId(id, 'prefix id'));
    this.suffixIds = (spec.suffixIds ?? []).map((id) => this.checkId(id, 'suffix id'));
    this.normalizer = spec.normalizer ?? [];
    this.model = new BpeModel(this.ids, spec.merges, { ignoreMerges: spec.ignoreMerges, unkId: spec.unkId });
    this.preTokenize = compilePreTokenizer(spec.preTokenizer);
    this.splitter = new AddedTokenSplitter(spec.added);
  }

  /** Builds from GGUF metadata (tokenizer.ggml.* keys, model 'gpt2'). */
  static fromGguf(meta: GgufMetadata): Tokenizer {
    return new Tokenizer(specFromGguf(meta));
  }

  /** Builds from a parsed Hugging Face tokenizer.json (plus tokenizer_config.json if at hand). */
  static fromTokenizerJson(json: unknown, config?: TokenizerConfigJson): Tokenizer {
    return new Tokenizer(specFromTokenizerJson(json, config));
  }

  get bosToken(): string | undefined {
    return this.bosId === undefined ? undefined : this.tokens[this.bosId];
  }

  get eosToken(): string | undefined {
    return this.eosId === undefined ? undefined : this.tokens[this.eosId];
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const out: number[] = options.addSpecial ? [...this.prefixIds] : [];
    for (const seg of this.splitter.split(text, options.allowSpecial ?? true)) {
      if (seg.id !== undefined) {
        out.push(seg.id);
        continue;
      }
      for (const piece of this.preTokenize(this.normalize(seg.text))) {
        const ids = this.encodeWord(piece);
        for (let i = 0; i < ids.length; i++) out.push(ids[i]);
      }
    }
    if (options.addSpecial) out.push(...this.suffixIds);
    return out;
  }

  /** Text of `ids`; a UTF-8 sequence left incomplete at the end becomes U+FFFD. */
  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    return new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(this.decodeBytes(ids, options));
  }

  /** Raw bytes of `ids`, for stop-string matching and streaming. */
  decodeBytes(ids: readonly number[], options: DecodeOptions = {}): Uint8Array {
    const parts: Uint8Array[] = [];
    let total = 0;
    for (const id of ids) {
      if (options.skipSpecial && this.specialIds.has(id)) continue;
      const b = this.tokenToBytes(id);
      parts.push(b);
      total += b.length;
    }
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  /** The bytes one token stands for. */
  tokenToBytes(id: number): Uint8Array {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new DatarusError(ErrorCode.TokenOutOfRange, `token id ${id} is outside [0, ${this.vocabSize})`);
    }
    let b = this.bytesCache[id];
    if (b === undefined) {
      const added = this.added.get(id);
      const tok = this.tokens[id] ?? '';
      b = added ? new TextEncoder().encode(added.content) : fromByteLevel(tok);
      this.bytesCache[id] = b;
    }
    return b;
  }

  /** The vocab string of a token (byte-level form, e.g. 'Ġthe'), or undefined. */
  tokenString(id: number): string | undefined {
    return this.tokens[id];
  }

  /** Id of a token given its vocab string ('<|im_end|>', 'Ġthe'), or undefined. */
  idOf(token: string): number | undefined {
    return this.ids.get(token);
  }

  /** Renders `messages` with the tokenizer's chat template. */
  applyChatTemplate(messages: readonly ChatMessage[], options: ApplyChatTemplateOptions = {}): string {
    if (this.chatTemplate === undefined) {
      throw new DatarusError(ErrorCode.BadTemplate, 'this tokenizer has no chat template');
    }
    // As Hugging Face does: tools and documents are None unless given.
    return renderChatTemplate(this.chatTemplate, {
      bos_token: this.bosToken ?? '',
      eos_token: this.eosToken ?? '',
      tools: null,
      documents: null,
      ...options.extra,
      messages,
      add_generation_prompt: options.addGenerationPrompt ?? false,
    });
  }

  /** A decoder that turns a stream of ids into text without splitting characters. */
  streamDecoder(options: DecodeOptions = {}): StreamDecoder {
    return new StreamDecoder(this, options);
  }

  private encodeWord(piece: string): number[] {
    const hit = this.wordCache.get(piece);
    if (hit) return hit;
    const ids = this.model.encodeWord(toByteLevel(piece));
    if (piece.length <= WORD_CACHE_MAX_LEN) {
      if (this.wordCache.size >= WORD_CACHE_MAX) this.wordCache.clear();
      this.wordCache.set(piece, ids);
    }
    return ids;
  }

  private normalize(text: string): string {
    for (const step of this.normalizer) text = step === 'lowercase' ? text.toLowerCase() : text.normalize(step);
    return text;
  }

  private checkId(id: number, what: string, inVocab = true): number {
    if (!Number.isInteger(id) || id < 0 || id >= 1 << 24) {
      throw new DatarusError(ErrorCode.BadTokenizer, `${what} ${id} is not a valid token id`);
    }
    if (inVocab && id >= this.tokens.length) {
      throw new DatarusError(ErrorCode.BadTokenizer, `${what} ${id} is outside the vocab of ${this.tokens.length}`);
    }
    return id;
  }
}
