// The host's side of one request on the kernel's output pipe (python/kernel.py):
// splits the byte stream into the cell's printed output and the end marker
// NUL "DATARUS:" nonce ":" status-JSON NUL, keeping only a bounded head of the
// output however much the cell prints. Pure: fed chunks, no I/O.

/** What the kernel reports after a request. */
export interface KernelStatus {
  ok: boolean;
  /** Last line of the traceback ("ValueError: …") when ok is false. */
  error?: string;
  /** The resource limit the exception points at, if any. */
  limit?: 'memory' | 'processes' | null;
  /** Characters the kernel dropped past the output cap without writing them. */
  dropped?: number;
  python?: string;
}

/** Longest status JSON accepted after a marker before the stream counts as corrupt. */
const MAX_STATUS_BYTES = 16 * 1024;

export class CellOutput {
  private readonly prefix: Buffer;
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  /** Bytes not yet classified: they may be the start of the marker. */
  private pending: Buffer = Buffer.alloc(0);
  /** Output bytes seen (kept or not). */
  totalBytes = 0;
  /** Set once the marker and its status have arrived. */
  status: KernelStatus | undefined;

  /**
   * @param nonce the request's nonce (hex)
   * @param keepBytes output bytes to keep; the rest is counted and dropped
   */
  constructor(
    nonce: string,
    private readonly keepBytes: number,
  ) {
    this.prefix = Buffer.from(`\0DATARUS:${nonce}:`, 'ascii');
  }

  /** Feeds a chunk; returns true once the request is complete. Throws on a corrupt marker. */
  feed(chunk: Buffer): boolean {
    if (this.status) return true;
    const data = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const at = data.indexOf(this.prefix);
    if (at < 0) {
      // Keep back the bytes that could be the marker's first part.
      const keep = Math.min(data.length, this.prefix.length - 1);
      this.commit(data.subarray(0, data.length - keep));
      this.pending = Buffer.from(data.subarray(data.length - keep));
      return false;
    }
    this.commit(data.subarray(0, at));
    const rest = data.subarray(at + this.prefix.length);
    const end = rest.indexOf(0);
    if (end < 0) {
      if (rest.length > MAX_STATUS_BYTES) throw new Error('kernel status is too long');
      this.pending = Buffer.from(data.subarray(at));
      return false;
    }
    const parsed: unknown = JSON.parse(rest.subarray(0, end).toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || typeof (parsed as KernelStatus).ok !== 'boolean') {
      throw new Error('kernel status is not an object with "ok"');
    }
    this.status = parsed as KernelStatus;
    this.pending = Buffer.alloc(0);
    return true;
  }

  private commit(bytes: Buffer): void {
    this.totalBytes += bytes.length;
    const room = this.keepBytes - this.headBytes;
    if (room <= 0 || bytes.length === 0) return;
    const part = bytes.length > room ? bytes.subarray(0, room) : bytes;
    this.head.push(Buffer.from(part));
    this.headBytes += part.length;
  }

  /** More output arrived than was kept. */
  get overflowed(): boolean {
    return this.totalBytes > this.headBytes;
  }

  /**
   * The kept output as text (a character cut at the byte limit decodes as U+FFFD).
   * Before the marker arrived (the kernel died or timed out), the bytes held back
   * as a possible marker start count as output too.
   */
  text(): string {
    if (!this.status && this.pending.length) {
      this.commit(this.pending);
      this.pending = Buffer.alloc(0);
    }
    return Buffer.concat(this.head).toString('utf8');
  }
}

/**
 * Cuts `text` to `maxChars` characters with a marker that says so; returns it
 * unchanged when it fits and nothing was `dropped` elsewhere.
 */
export function capOutput(text: string, maxChars: number, dropped = false): { text: string; truncated: boolean } {
  if (text.length <= maxChars && !dropped) return { text, truncated: false };
  return { text: `${text.slice(0, maxChars)}\n[... output cut at ${maxChars} characters]`, truncated: true };
}
