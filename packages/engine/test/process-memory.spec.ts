// processMemory / resetPeakMemory against what Linux reports while a worker thread
// holds, then frees, 256 MiB of touched memory.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { processMemory, resetPeakMemory, statusBytes } from '../src/index.js';

const MIB = 1024 * 1024;
const HOLD = 256 * MIB;

describe('statusBytes', () => {
  const status = 'Name:\tnode\nVmHWM:\t  123456 kB\nVmRSS:\t   4096 kB\n';
  it('reads kB lines as bytes', () => {
    expect(statusBytes(status, 'VmHWM')).toBe(123456 * 1024);
    expect(statusBytes(status, 'VmRSS')).toBe(4096 * 1024);
  });
  it('is NaN for a missing or malformed key', () => {
    expect(statusBytes(status, 'VmSwap')).toBeNaN();
    expect(statusBytes('VmRSS: lots\n', 'VmRSS')).toBeNaN();
  });
});

describe.runIf(process.platform === 'linux')('processMemory on Linux', () => {
  it('sees a transient 256 MiB in the peak, and resetPeakMemory forgets it', async () => {
    const before = processMemory();
    expect(before.rssBytes).toBeGreaterThan(10 * MIB);
    expect(before.peakRssBytes).toBeGreaterThanOrEqual(before.rssBytes);

    const worker = new Worker(`const b = Buffer.alloc(${HOLD}, 7); require('node:worker_threads').parentPort.postMessage(b[4096]);`, {
      eval: true,
    });
    expect((await once(worker, 'message'))[0]).toBe(7);
    const holding = processMemory();
    await worker.terminate();
    const freed = processMemory();
    console.log(
      `rss MiB: before ${(before.rssBytes / MIB).toFixed(0)}, holding ${(holding.rssBytes / MIB).toFixed(0)}, freed ${(freed.rssBytes / MIB).toFixed(0)}; ` +
        `peak after free ${(freed.peakRssBytes / MIB).toFixed(0)}`,
    );
    expect(holding.rssBytes - before.rssBytes).toBeGreaterThan(0.9 * HOLD);
    // Linux folds per-thread counters into these figures lazily: a few MiB of slack.
    expect(freed.peakRssBytes).toBeGreaterThan(before.rssBytes + 0.9 * HOLD);

    expect(resetPeakMemory()).toBe(true);
    const reset = processMemory();
    expect(reset.peakRssBytes).toBeLessThan(holding.rssBytes - 0.5 * HOLD);
    expect(reset.peakRssBytes).toBeGreaterThan(reset.rssBytes - 16 * MIB);
  });
});
