// Incremental detokenization for streaming generation: feeds token ids in as they
// are sampled and returns only the text that is complete so far, holding back the
// bytes of a UTF-8 character that a later token will finish.
import type { Tokenizer } from './tokenizer.js';

export class StreamDecoder {
  private readonly utf8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly options: { skipSpecial?: boolean } = {},
  ) {}

  /** Adds ids; returns the newly completed text (possibly ''). */
  push(ids: number | readonly number[]): string {
    const list = typeof ids === 'number' ? [ids] : ids;
    return this.utf8.decode(this.tokenizer.decodeBytes(list, this.options), { stream: true });
  }

  /** Ends the stream; an unfinished character at the end becomes U+FFFD. */
  flush(): string {
    return this.utf8.decode();
  }
}
