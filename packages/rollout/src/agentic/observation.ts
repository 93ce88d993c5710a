// The text the harness appends after a tool call, in the format of TRAJECTORY.md
// and of the reference trajectories (packages/datagen/src/trajectories.ts):
//   "\n<observation>\n{output}\n</observation>\n</step>\n"
// Pure. Length caps are the tools' business: the Python sandbox cuts a cell's
// output at maxObservationChars with a marker, before its own [notes].

/** Body of an observation: trailing blank space trimmed, "[no output]" when empty. */
export function observationBody(output: string): string {
  const body = output.trimEnd();
  return body === '' ? '[no output]' : body;
}

/**
 * The appended text. `after` is the policy's text so far: the newline before
 * <observation> is left out when the policy's last token already ended with one.
 */
export function observationBlock(body: string, after: string): string {
  const nl = after.endsWith('\n') ? '' : '\n';
  return `${nl}<observation>\n${body}\n</observation>\n</step>\n`;
}
