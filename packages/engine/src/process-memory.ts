// Resident memory of this process, as Linux reports it in /proc/self/status: what a
// step, a worker or a pod actually needs (the engine's tensors live in native
// memory that process.memoryUsage().heapUsed does not see).
import { readFileSync, writeFileSync } from 'node:fs';

export interface ProcessMemory {
  /** Resident set size now, bytes (NaN where /proc is not available). */
  rssBytes: number;
  /** Highest resident set size since the process started or since resetPeakMemory(), bytes (NaN where unknown). */
  peakRssBytes: number;
}

/** Value of a `Key:   123 kB` line of /proc/self/status, in bytes; NaN when absent. */
export function statusBytes(status: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(status);
  return m ? Number(m[1]) * 1024 : NaN;
}

export function processMemory(): ProcessMemory {
  let status = '';
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    // not Linux: both unknown
  }
  return { rssBytes: statusBytes(status, 'VmRSS'), peakRssBytes: statusBytes(status, 'VmHWM') };
}

/**
 * Restarts the peak at the current resident size (Linux ≥ 4.0: `5` written to
 * /proc/self/clear_refs), so that the next processMemory().peakRssBytes is the peak
 * of what runs in between. Returns false, changing nothing, where that is refused.
 */
export function resetPeakMemory(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

export const GIB = 1024 ** 3;
