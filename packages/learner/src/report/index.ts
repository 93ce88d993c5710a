// The training report: metrics.jsonl reading and writing, the first-vs-last
// quarter reward comparison, and the self-contained HTML page.
export { formatPeakMemory, memoryPeaks, renderReport } from './render-report.js';
export { quarterComparison, formatQuarterComparison, NOISE_SIGMAS } from './quarters.js';
export { appendJsonLines, appendMetrics, readMetrics } from './metrics-file.js';

export type { ReportInfo } from './render-report.js';
export type { QuarterComparison, QuarterStats } from './quarters.js';
export type { ReadMetricsOptions } from './metrics-file.js';
