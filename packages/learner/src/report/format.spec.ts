import { describe, expect, it } from 'vitest';
import { escapeHtml, formatDuration, formatNumber, formatTick } from './format.js';
import { niceStep, stepTicks, valueDomain } from './ticks.js';

describe('report text', () => {
  it('escapes the five HTML specials', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('formats values, ticks and durations', () => {
    expect([NaN, Infinity, 0, 12, 0.123456, 2e-6, 1.5e7].map((v) => formatNumber(v))).toEqual(['–', '–', '0', '12', '0.1235', '2e-6', '1.5e7']);
    expect([0, 0.5, 1].map((v) => formatTick(v, 0.5))).toEqual(['0', '0.5', '1.0']);
    expect([5e-7, 1e-6, 1.5e-6, 2e-6].map((v) => formatTick(v, 5e-7))).toEqual(['5e-7', '1e-6', '1.5e-6', '2e-6']);
    expect([200, 400].map((v) => formatTick(v, 200))).toEqual(['200', '400']);
    expect([42, 185, 3725].map(formatDuration)).toEqual(['42.0s', '3m 05s', '1h 02m']);
  });
});

describe('report scales', () => {
  it('picks round tick spacings and covers the data', () => {
    expect([niceStep(1, 4), niceStep(7, 4), niceStep(0.03, 4), niceStep(900, 6)]).toEqual([0.5, 2, 0.01, 200]);
    expect(valueDomain([0.13, 0.87])).toMatchObject({ lo: 0, hi: 1, ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] });
    expect(valueDomain([0.1, 0.2, 0.3]).ticks).toEqual([0.1, 0.15, 0.2, 0.25, 0.3]);
    expect(valueDomain([NaN, 3, 3])).toMatchObject({ lo: 1, hi: 5 }); // a single value is widened
    expect(valueDomain([])).toMatchObject({ lo: 0, hi: 1 });
    expect(valueDomain([5, 9], { includeZero: true }).lo).toBe(0);
    expect(stepTicks(1, 900).ticks).toEqual([200, 400, 600, 800]);
  });
});
