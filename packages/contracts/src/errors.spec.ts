import { describe, expect, it } from 'vitest';
import { DatarusError, ErrorCode, isErrorCode } from './errors.js';

describe('error codes', () => {
  it('are unique and recognised', () => {
    const codes = Object.values(ErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(isErrorCode(c)).toBe(true);
    expect(isErrorCode('E_NOPE')).toBe(false);
  });

  it('travel on DatarusError', () => {
    const e = new DatarusError(ErrorCode.Truncated, 'short file');
    expect(e).toBeInstanceOf(Error);
    expect(e.code).toBe('E_TRUNCATED');
  });
});
