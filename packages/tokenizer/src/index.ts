// Public surface of @datarus/tokenizer: GGUF metadata reading, the byte-level BPE
// tokenizer, chat templates and the model-path loader.
export { readGgufMetadata, GGUF_LIMITS } from './gguf/read-gguf-metadata.js';
export { GgufMetadata, GgufType } from './gguf/gguf-metadata.js';
export { Tokenizer } from './tokenizer.js';
export { StreamDecoder } from './stream-decoder.js';
export { loadTokenizer } from './load-tokenizer.js';
export { specFromGguf, GGUF_PRE_TOKENIZERS, GgufTokenType } from './from-gguf.js';
export { specFromTokenizerJson } from './from-tokenizer-json.js';
export { GPT2_PATTERN, LLAMA3_PATTERN, QWEN2_PATTERN, compileSplitPattern } from './bpe/split-patterns.js';
export { BYTE_TO_CHAR, toByteLevel, fromByteLevel } from './bpe/byte-level.js';
export { renderChatTemplate, compileTemplate, Template } from './chat-template.js';
export { toTokenizerJson, toTokenizerConfigJson } from './to-tokenizer-json.js';

export type { GgufEntry, GgufScalar, GgufValue } from './gguf/gguf-metadata.js';
export type { EncodeOptions, DecodeOptions, ApplyChatTemplateOptions } from './tokenizer.js';
export type { TokenizerSpec, AddedToken, NormalizerStep } from './tokenizer-spec.js';
export type { TokenizerConfigJson } from './from-tokenizer-json.js';
export type { PreTokenizerStep, SplitBehavior } from './bpe/pre-tokenizer.js';
export type { ChatMessage, ChatTemplateContext } from './chat-template.js';
