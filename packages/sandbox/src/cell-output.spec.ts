// The output-pipe parser alone: the end marker is found across chunk borders,
// only its own nonce ends a request, the kept output is bounded, and a corrupt
// status is an error rather than a hang.
import { describe, expect, it } from 'vitest';
import { capOutput, CellOutput } from './cell-output.js';

const NONCE = 'ab12';
const marker = (status: string) => Buffer.from(`\0DATARUS:${NONCE}:${status}\0`, 'latin1');

describe('CellOutput', () => {
  it('splits output from the marker when both arrive byte by byte', () => {
    const out = new CellOutput(NONCE, 100);
    const all = Buffer.concat([Buffer.from('héllo\n'), marker('{"ok":true,"dropped":0}')]);
    let done = false;
    for (let i = 0; i < all.length; i++) done = out.feed(all.subarray(i, i + 1));
    expect(done).toBe(true);
    expect(out.text()).toBe('héllo\n');
    expect(out.status).toEqual({ ok: true, dropped: 0 });
  });

  it('treats a marker with another nonce as printed text', () => {
    const out = new CellOutput(NONCE, 100);
    const fake = Buffer.from('\0DATARUS:ffff:{"ok":false}\0');
    expect(out.feed(Buffer.concat([fake, marker('{"ok":true}')]))).toBe(true);
    expect(out.text()).toBe(fake.toString());
    expect(out.status?.ok).toBe(true);
  });

  it('keeps a bounded head and counts the rest', () => {
    const out = new CellOutput(NONCE, 10);
    for (let i = 0; i < 100; i++) out.feed(Buffer.alloc(1000, 'x'));
    out.feed(marker('{"ok":true}'));
    expect(out.text()).toBe('x'.repeat(10));
    expect(out.totalBytes).toBe(100_000);
    expect(out.overflowed).toBe(true);
  });

  it('counts bytes held back as a possible marker start as output when no marker comes', () => {
    const out = new CellOutput(NONCE, 100);
    expect(out.feed(Buffer.from('started\n'))).toBe(false);
    expect(out.text()).toBe('started\n');
  });

  it('rejects a status that is not JSON with "ok"', () => {
    expect(() => new CellOutput(NONCE, 10).feed(marker('{"nope":1}'))).toThrow(/ok/);
    expect(() => new CellOutput(NONCE, 10).feed(marker('{'))).toThrow();
  });
});

describe('capOutput', () => {
  it('cuts with a marker only past the cap', () => {
    expect(capOutput('abc', 3)).toEqual({ text: 'abc', truncated: false });
    expect(capOutput('abcd', 3)).toEqual({ text: 'abc\n[... output cut at 3 characters]', truncated: true });
    expect(capOutput('abc', 3, true).truncated).toBe(true);
  });
});
