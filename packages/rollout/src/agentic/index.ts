// The agentic episode runner: tool-using GRPO samples on the engine's resumable
// group, each with its own sandboxed Python kernel (@datarus/sandbox).
export { runAgenticGroup } from './agentic-episode.js';
export { AgenticOptions } from './agentic-options.js';
export { parseAction, codeOf } from './action-parser.js';
export { observationBody, observationBlock } from './observation.js';
export { TOOLS, unknownToolMessage } from './tools.js';

export type { AgenticSample, AgenticFinishReason, TextSpan } from './agentic-episode.js';
export type { ResolvedAgenticOptions } from './agentic-options.js';
export type { ParsedAction } from './action-parser.js';
export type { Tool, ToolContext, ToolOutcome } from './tools.js';
