// Cuts input text at occurrences of added tokens (<|im_start|> and the like) before
// pre-tokenization, so they become single ids instead of being spelled out. Longer
// tokens win over their prefixes; special tokens are only looked for on request.
import { escapeRegex } from './bpe/split-patterns.js';
import type { AddedToken } from './tokenizer-spec.js';

export type Segment = { text: string; id?: undefined } | { id: number; text?: undefined };

const WS = /\s/u;

export class AddedTokenSplitter {
  private readonly byContent = new Map<string, AddedToken>();
  private readonly withSpecial: RegExp | undefined;
  private readonly withoutSpecial: RegExp | undefined;

  constructor(added: readonly AddedToken[]) {
    for (const t of added) if (t.content.length > 0 && !this.byContent.has(t.content)) this.byContent.set(t.content, t);
    const all = [...this.byContent.values()];
    this.withSpecial = alternation(all);
    this.withoutSpecial = alternation(all.filter((t) => !t.special));
  }

  split(text: string, allowSpecial: boolean): Segment[] {
    const re = allowSpecial ? this.withSpecial : this.withoutSpecial;
    if (!re) return [{ text }];
    const out: Segment[] = [];
    let last = 0;
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const tok = this.byContent.get(m[0])!;
      let start = m.index;
      let end = start + m[0].length;
      if (tok.lstrip) while (start > last && WS.test(text[start - 1])) start--;
      if (start > last) out.push({ text: text.slice(last, start) });
      out.push({ id: tok.id });
      if (tok.rstrip) while (end < text.length && WS.test(text[end])) end++;
      last = end;
      re.lastIndex = end;
    }
    if (last < text.length) out.push({ text: text.slice(last) });
    return out;
  }
}

function alternation(tokens: AddedToken[]): RegExp | undefined {
  if (tokens.length === 0) return undefined;
  const sorted = tokens.map((t) => t.content).sort((a, b) => b.length - a.length);
  return new RegExp(sorted.map(escapeRegex).join('|'), 'gu');
}
