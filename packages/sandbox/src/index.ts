// @datarus/sandbox: a bubblewrap-sandboxed, notebook-style Python kernel for the
// agentic mode (TRAJECTORY.md, "Agentic mode").
export { PythonSandbox } from './python-sandbox.js';
export { SandboxOptions, DataFile, SANDBOX_WORKDIR } from './sandbox-options.js';
export { capOutput } from './cell-output.js';

export type { CellResult } from './python-sandbox.js';
export type { ResolvedSandboxOptions } from './sandbox-options.js';
