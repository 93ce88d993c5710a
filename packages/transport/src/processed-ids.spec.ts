import { describe, expect, it } from 'vitest';
import { ProcessedIds } from './processed-ids.js';

describe('ProcessedIds', () => {
  it('runs work once per id and only records success', async () => {
    const seen = new ProcessedIds(10);
    let runs = 0;
    expect(await seen.once('g1', () => void runs++)).toBe(true);
    expect(await seen.once('g1', () => void runs++)).toBe(false);
    await expect(seen.once('g2', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(seen.has('g2')).toBe(false);
    expect(runs).toBe(1);
  });

  it('evicts the least recently seen past capacity and round-trips a snapshot', () => {
    const seen = new ProcessedIds(3, ['a', 'b', 'c']);
    seen.add('a'); // refresh a: b is now the oldest
    seen.add('d');
    expect(seen.snapshot()).toEqual(['c', 'a', 'd']);
    expect(seen.has('b')).toBe(false);
    expect(new ProcessedIds(3, seen.snapshot()).snapshot()).toEqual(['c', 'a', 'd']);
    expect(() => new ProcessedIds(0)).toThrow(expect.objectContaining({ code: 'E_INVALID_ARGUMENT' }));
  });
});
