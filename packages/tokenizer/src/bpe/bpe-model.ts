// The BPE merge loop for one pre-token (a byte-level string). Merges are applied
// lowest rank first, leftmost first among equal ranks (as Hugging Face tokenizers
// does), using a min-heap of candidate pairs over a linked list of symbols, so a
// word of n symbols costs O(n log n) rather than the O(n^2) rescans of the
// textbook loop. Stale heap entries are skipped when popped.
import { DatarusError, ErrorCode } from '@datarus/contracts';

const POS_SPACE = 2 ** 32;
const MAX_MERGES = 2 ** 20;

export interface BpeModelOptions {
  /** Use a word's own vocab entry when it has one, without merging (Llama-3). */
  ignoreMerges?: boolean;
  /** Id for symbols missing from the vocab; without it they are dropped. */
  unkId?: number;
}

export class BpeModel {
  /** (left id * stride + right id) -> merge rank. */
  private readonly pairRank = new Map<number, number>();
  /** rank -> id of the merged symbol. */
  private readonly mergedId: Int32Array;
  private readonly stride: number;

  constructor(
    private readonly vocab: ReadonlyMap<string, number>,
    merges: readonly (readonly [string, string])[],
    private readonly options: BpeModelOptions = {},
  ) {
    if (merges.length > MAX_MERGES) {
      throw new DatarusError(ErrorCode.BadTokenizer, `too many merges (${merges.length} > ${MAX_MERGES})`);
    }
    let maxId = 0;
    for (const id of vocab.values()) maxId = Math.max(maxId, id);
    this.stride = maxId + 1;
    this.mergedId = new Int32Array(merges.length);
    merges.forEach(([a, b], rank) => {
      const ia = vocab.get(a);
      const ib = vocab.get(b);
      const im = vocab.get(a + b);
      if (ia === undefined || ib === undefined || im === undefined) {
        throw new DatarusError(ErrorCode.BadTokenizer, `merge #${rank} '${a} ${b}' uses a token missing from the vocab`);
      }
      const key = ia * this.stride + ib;
      if (!this.pairRank.has(key)) this.pairRank.set(key, rank);
      this.mergedId[rank] = im;
    });
  }

  /** Token ids for one byte-level word. */
  encodeWord(word: string): number[] {
    if (this.options.ignoreMerges) {
      const whole = this.vocab.get(word);
      if (whole !== undefined) return [whole];
    }
    const sym: number[] = [];
    for (const ch of word) {
      const id = this.vocab.get(ch) ?? this.options.unkId;
      if (id !== undefined) sym.push(id);
    }
    const n = sym.length;
    if (n < 2) return sym;
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    const alive = new Uint8Array(n).fill(1);
    const heap = new MinHeap();
    const consider = (i: number) => {
      const j = next[i];
      if (j < 0) return;
      const rank = this.pairRank.get(sym[i] * this.stride + sym[j]);
      if (rank !== undefined) heap.push(rank * POS_SPACE + i);
    };
    for (let i = 0; i + 1 < n; i++) consider(i);
    while (heap.size > 0) {
      const key = heap.pop();
      const rank = Math.floor(key / POS_SPACE);
      const i = key - rank * POS_SPACE;
      const j = next[i];
      if (!alive[i] || j < 0 || this.pairRank.get(sym[i] * this.stride + sym[j]) !== rank) continue;
      sym[i] = this.mergedId[rank];
      alive[j] = 0;
      next[i] = next[j];
      if (next[j] >= 0) prev[next[j]] = i;
      if (prev[i] >= 0) consider(prev[i]);
      consider(i);
    }
    const out: number[] = [];
    for (let i = 0; i >= 0; i = next[i]) out.push(sym[i]);
    return out;
  }
}

/** Binary min-heap of non-negative safe integers. */
class MinHeap {
  private readonly a: number[] = [];

  get size(): number {
    return this.a.length;
  }

  push(v: number): void {
    const a = this.a;
    let i = a.push(v) - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p] <= v) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = v;
  }

  pop(): number {
    const a = this.a;
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const c = l + 1 < a.length && a[l + 1] < a[l] ? l + 1 : l;
        if (a[c] >= last) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  }
}
