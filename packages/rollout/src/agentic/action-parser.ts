// Reads the tool call at the end of one step of the policy's text:
//   <step><thought>…</thought><action>TOOL</action><action_input>INPUT</action_input>
// Pure. Lenient where the intent is plain: code wrapped in a Markdown fence is
// unwrapped and common indentation is removed, as a notebook user would expect.

export type ParsedAction = { ok: true; tool: string; input: string } | { ok: false; message: string };

const CLOSE = '</action_input>';

/** The tool call of the step that ends at the last `</action_input>` of `stepText`. */
export function parseAction(stepText: string): ParsedAction {
  const close = stepText.lastIndexOf(CLOSE);
  if (close < 0) return { ok: false, message: `Error: the step has no ${CLOSE}.` };
  const open = stepText.lastIndexOf('<action_input>', close);
  if (open < 0) return { ok: false, message: `Error: ${CLOSE} without <action_input> before it.` };
  const head = stepText.slice(0, open);
  const actionEnd = head.lastIndexOf('</action>');
  const actionStart = actionEnd < 0 ? -1 : head.lastIndexOf('<action>', actionEnd);
  if (actionStart < 0) {
    return { ok: false, message: 'Error: the step has no <action>…</action> before <action_input>; write <action>python_executor</action>.' };
  }
  const tool = head.slice(actionStart + '<action>'.length, actionEnd).trim();
  const input = stepText.slice(open + '<action_input>'.length, close);
  return { ok: true, tool, input };
}

/** Code from an <action_input>: outer blank lines, a Markdown fence and common indentation removed. */
export function codeOf(input: string): string {
  let code = input.replace(/^\s*\n/, '').trimEnd();
  const fence = /^\s*```[A-Za-z0-9_+-]*[ \t]*\n([\s\S]*?)\n\s*```\s*$/.exec(code);
  if (fence) code = fence[1];
  return dedent(code);
}

function dedent(text: string): string {
  const lines = text.split('\n');
  let common: string | undefined;
  for (const line of lines) {
    if (line.trim() === '') continue;
    const indent = /^[ \t]*/.exec(line)![0];
    if (common === undefined || !indent.startsWith(common)) {
      let k = 0;
      const base = common ?? indent;
      while (k < base.length && k < indent.length && base[k] === indent[k]) k++;
      common = common === undefined ? indent : base.slice(0, k);
    }
  }
  if (!common) return text;
  const n = common.length;
  return lines.map((l) => (l.trim() === '' ? '' : l.slice(n))).join('\n');
}
