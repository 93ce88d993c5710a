// Short names of the wire's FinishReason, as logs and result files write them.
import type { FinishReason } from './wire/generated.js';

const NAMES: Record<FinishReason, string> = {
  FINISH_REASON_UNSPECIFIED: 'unknown',
  FINISH_REASON_STOP: 'stop',
  FINISH_REASON_LENGTH: 'length',
  FINISH_REASON_TOOL_LIMIT: 'tool_limit',
  FINISH_REASON_ERROR: 'error',
};

/** stop | length | tool_limit | error | unknown */
export const finishReasonName = (r: FinishReason): string => NAMES[r] ?? 'unknown';
