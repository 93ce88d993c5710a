// The text the harness appends after a tool call, in the format of TRAJECTORY.md
// and of the reference trajectories (packages/datagen/src/trajectories.ts):
//   "\n<observation>\n{output}\n</observation>\n</step>\n"
// Pure.

/** Marker of an observation cut at `maxChars` (the sandbox cuts cell output the same way). */
export const cutMarker = (maxChars: number) => `\n[... output cut at ${maxChars} characters]`;

/** Body of an observation: trailing blank space trimmed, "[no output]" when empty, cut past `maxChars`. */
export function observationBody(output: string, maxChars: number): string {
  const body = output.trimEnd();
  if (body === '') return '[no output]';
  return body.length > maxChars ? body.slice(0, maxChars) + cutMarker(maxChars) : body;
}

/**
 * The appended text. `after` is the policy's text so far: the newline before
 * <observation> is left out when the policy's last token already ended with one.
 */
export function observationBlock(body: string, after: string): string {
  const nl = after.endsWith('\n') ? '' : '\n';
  return `${nl}<observation>\n${body}\n</observation>\n</step>\n`;
}
