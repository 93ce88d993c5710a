import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, messageFromJson } from './codec.js';

describe('generated wire types', () => {
  it('are up to date with proto/', () => {
    const script = fileURLToPath(new URL('../../scripts/gen-proto.mjs', import.meta.url));
    expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it('decode garbage as E_BAD_MESSAGE, never a crash', () => {
    expect(() => decodeMessage('datarus.v1.ScoreResponse', new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow(
      expect.objectContaining({ code: 'E_BAD_MESSAGE' }),
    );
    expect(() => messageFromJson('datarus.v1.ScoreResponse', '{"score": "high"')).toThrow(expect.objectContaining({ code: 'E_BAD_MESSAGE' }));
    expect(() => messageFromJson('datarus.v1.ScoreResponse', '{"score": "high"}')).toThrow(expect.objectContaining({ code: 'E_BAD_MESSAGE' }));
  });

  it('keep the oneof discriminator', () => {
    const r = decodeMessage('datarus.v1.ScoreResponse', encodeMessage('datarus.v1.ScoreResponse', { noScore: { reason: 'x', code: 'E_X' }, components: [], worker: 'w' }));
    expect(r.result).toBe('noScore');
    expect(r.score).toBeUndefined();
  });
});
