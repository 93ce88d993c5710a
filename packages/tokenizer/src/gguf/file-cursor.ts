// A forward-only, buffered reader over a file handle, for parsing headers of large
// files without reading them whole. Every read is checked against the file size
// first, so a corrupt length can never cause a read past the end or an allocation
// larger than the bytes that remain.
import type { FileHandle } from 'node:fs/promises';
import { DatarusError, ErrorCode } from '@datarus/contracts';

const CHUNK = 1 << 20;

export class FileCursor {
  private buf: Buffer = Buffer.alloc(0);
  /** File offset of buf[0]. */
  private bufStart = 0;
  /** Current file offset. */
  pos = 0;

  constructor(
    private readonly handle: FileHandle,
    readonly size: number,
    private readonly what: string,
  ) {}

  remaining(): number {
    return this.size - this.pos;
  }

  /** True when `n` bytes at pos are already buffered (no await needed). */
  has(n: number): boolean {
    return this.pos + n <= this.bufStart + this.buf.length;
  }

  /** Makes `n` bytes at pos available, or throws Truncated if the file ends first. */
  async ensure(n: number): Promise<void> {
    if (this.has(n)) return;
    if (n > this.remaining()) {
      throw new DatarusError(
        ErrorCode.Truncated,
        `${this.what}: needs ${n} bytes at offset ${this.pos}, but the file ends at ${this.size}`,
      );
    }
    const len = Math.min(Math.max(n, CHUNK), this.remaining());
    const next = Buffer.alloc(len);
    let got = 0;
    while (got < len) {
      const { bytesRead } = await this.handle.read(next, got, len - got, this.pos + got);
      if (bytesRead === 0) {
        throw new DatarusError(ErrorCode.Truncated, `${this.what}: file shrank while reading at ${this.pos + got}`);
      }
      got += bytesRead;
    }
    this.buf = next;
    this.bufStart = this.pos;
  }

  /** Returns a view of the next `n` buffered bytes and advances; call ensure(n) first. */
  take(n: number): Buffer {
    const at = this.pos - this.bufStart;
    this.pos += n;
    return this.buf.subarray(at, at + n);
  }

  u8(): number {
    const v = this.buf.readUInt8(this.pos - this.bufStart);
    this.pos += 1;
    return v;
  }
  u32(): number {
    const v = this.buf.readUInt32LE(this.pos - this.bufStart);
    this.pos += 4;
    return v;
  }
  u64(): bigint {
    const v = this.buf.readBigUInt64LE(this.pos - this.bufStart);
    this.pos += 8;
    return v;
  }
  /** Reads a value of a fixed `width` with a Buffer reader method. */
  fixed<T>(width: number, read: (b: Buffer, at: number) => T): T {
    const v = read(this.buf, this.pos - this.bufStart);
    this.pos += width;
    return v;
  }
}
