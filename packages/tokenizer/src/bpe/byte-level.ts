// GPT-2's reversible byte <-> character map used by byte-level BPE: printable
// Latin-1 bytes stand for themselves, the other 68 bytes are shifted to U+0100..,
// so every byte string becomes a string of visible characters the vocab can hold.

/** BYTE_TO_CHAR[b] is the one-character string standing for byte b. */
export const BYTE_TO_CHAR: readonly string[] = buildByteToChar();

/** Code point -> byte, for the 256 characters in BYTE_TO_CHAR. */
export const CHAR_TO_BYTE: ReadonlyMap<number, number> = new Map(
  BYTE_TO_CHAR.map((c, b) => [c.codePointAt(0)!, b] as const),
);

function buildByteToChar(): string[] {
  const out = new Array<string>(256);
  const keep = (b: number) =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    out[b] = String.fromCodePoint(keep(b) ? b : 256 + shifted++);
  }
  return out;
}

const encoder = new TextEncoder();

/** UTF-8 encodes `text` and maps each byte to its stand-in character. */
export function toByteLevel(text: string): string {
  const bytes = encoder.encode(text);
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += BYTE_TO_CHAR[bytes[i]];
  return s;
}

/**
 * Maps a byte-level token string back to bytes. Characters outside the map (which a
 * well-formed byte-level vocab never has) are kept as their own UTF-8 bytes.
 */
export function fromByteLevel(token: string): Uint8Array {
  const out: number[] = [];
  for (const ch of token) {
    const b = CHAR_TO_BYTE.get(ch.codePointAt(0)!);
    if (b !== undefined) out.push(b);
    else for (const x of encoder.encode(ch)) out.push(x);
  }
  return Uint8Array.from(out);
}
