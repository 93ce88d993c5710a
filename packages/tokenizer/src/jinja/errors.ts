// Template errors: every failure to parse or render a template is a DatarusError
// with code BadTemplate whose message names the line and column it happened at.
import { DatarusError, ErrorCode } from '@datarus/contracts';

/** Line and column (1-based) of `offset` in `src`. */
export function lineCol(src: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < src.length; i++) {
    if (src[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}

export function templateError(src: string, offset: number, msg: string, cause?: unknown): DatarusError {
  const { line, col } = lineCol(src, offset);
  return new DatarusError(ErrorCode.BadTemplate, `chat template ${line}:${col}: ${msg}`, { cause });
}
