// The tools a step may name in <action>, by name. python_executor runs the code
// in the sample's own sandboxed kernel (state persists across the sample's steps).
// A tool returns the observation's body and whether the step counts as failed.
import type { CellResult, PythonSandbox } from '@datarus/sandbox';
import { codeOf } from './action-parser.js';

export interface ToolContext {
  /** The sample's sandbox, started on first use. Rejects when it cannot start. */
  sandbox(): Promise<PythonSandbox>;
}

export interface ToolOutcome {
  /** Observation body (already within the observation cap). */
  output: string;
  /** False for a failed step: an exception, a timeout, a limit, bad input. */
  ok: boolean;
  cell?: CellResult;
}

export type Tool = (input: string, ctx: ToolContext) => Promise<ToolOutcome>;

export const TOOLS: Readonly<Record<string, Tool>> = {
  async python_executor(input, ctx) {
    const code = codeOf(input);
    if (code.trim() === '') return { output: 'Error: <action_input> holds no code.', ok: false };
    const sandbox = await ctx.sandbox();
    const cell = await sandbox.run(code);
    return { output: cell.output, ok: cell.ok, cell };
  },
};

/** The observation for a tool name that is not in TOOLS. */
export function unknownToolMessage(name: string): string {
  const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
  return `Error: unknown tool "${shown}". Available tools: ${Object.keys(TOOLS).join(', ')}.`;
}
