// A linear-time parser for the trajectory tags of TRAJECTORY.md. It scans with
// indexOf and fixed-length comparisons (no regular expressions), so hostile input
// (100k nested tags, regex-bomb text) costs O(n). Only the eight known tags are
// markup; anything else (`<br>`, `a < b`) is text. `action_input` and
// `observation` are raw: only their own closing tag ends them, so code and tool
// output may contain anything. A tag in a place the grammar does not allow (e.g.
// `<answer>` inside `<think>`) is misnesting, like an unbalanced tag.

export const TAG_NAMES = ['think', 'answer', 'step', 'thought', 'action', 'action_input', 'observation', 'stop_analysis'] as const;
export type TagName = (typeof TAG_NAMES)[number];

const RAW: ReadonlySet<TagName> = new Set(['action_input', 'observation']);

/** Which tags may appear directly inside which ('' = top level). */
const ALLOWED_CHILDREN: Record<TagName | '', ReadonlySet<TagName>> = {
  '': new Set(['think', 'answer', 'step', 'stop_analysis']),
  step: new Set(['thought', 'action', 'action_input', 'observation']),
  stop_analysis: new Set(['thought', 'answer']),
  think: new Set(),
  answer: new Set(),
  thought: new Set(),
  action: new Set(),
  action_input: new Set(),
  observation: new Set(),
};

export interface TagNode {
  tag: TagName;
  /** Offset of `<tag>`. */
  start: number;
  /** Offset just past `</tag>`. */
  end: number;
  contentStart: number;
  contentEnd: number;
  children: TagNode[];
  /** Non-whitespace text directly inside this node, between its children (only for nodes with children). */
  strayText: boolean;
}

export type ParseResult =
  | { ok: true; roots: TagNode[]; /** Non-whitespace text outside every top-level block. */ textOutside: boolean }
  | { ok: false; error: string; at: number };

const LT = 60; // <
const GT = 62; // >
const SLASH = 47; // /

/** If a known tag starts at `i` (at a '<'), its name, whether it closes, and its end offset. */
function readTag(text: string, i: number): { name: TagName; closing: boolean; end: number } | null {
  let j = i + 1;
  const closing = text.charCodeAt(j) === SLASH;
  if (closing) j++;
  const first = text.charCodeAt(j);
  if (first < 97 || first > 116) return null; // every name starts with a..t
  const gt = j + 14 < text.length ? j + 14 : text.length; // longest name is 13 chars
  for (let k = j; k < gt; k++) {
    if (text.charCodeAt(k) === GT) {
      const name = text.slice(j, k);
      return (TAG_NAMES as readonly string[]).includes(name) ? { name: name as TagName, closing, end: k + 1 } : null;
    }
  }
  return null;
}

function isBlank(text: string, from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return false;
  }
  return true;
}

export function parseTags(text: string): ParseResult {
  const roots: TagNode[] = [];
  const stack: TagNode[] = [];
  let textOutside = false;
  let cursor = 0; // end of the last tag seen
  let i = text.indexOf('<');
  while (i !== -1) {
    const tag = readTag(text, i);
    if (!tag) {
      i = text.indexOf('<', i + 1);
      continue;
    }
    const top = stack.length > 0 ? stack[stack.length - 1] : null;
    if (!isBlank(text, cursor, i)) {
      if (!top) textOutside = true;
      else if (ALLOWED_CHILDREN[top.tag].size > 0) top.strayText = true;
    }
    if (tag.closing) {
      if (!top || top.tag !== tag.name) {
        return { ok: false, error: `</${tag.name}> closes ${top ? `<${top.tag}>` : 'nothing'}`, at: i };
      }
      top.contentEnd = i;
      top.end = tag.end;
      stack.pop();
      cursor = tag.end;
      i = text.indexOf('<', cursor);
      continue;
    }
    if (!ALLOWED_CHILDREN[top ? top.tag : ''].has(tag.name)) {
      return { ok: false, error: `<${tag.name}> inside ${top ? `<${top.tag}>` : 'the top level'}`, at: i };
    }
    const node: TagNode = { tag: tag.name, start: i, end: -1, contentStart: tag.end, contentEnd: -1, children: [], strayText: false };
    (top ? top.children : roots).push(node);
    if (RAW.has(tag.name)) {
      const close = `</${tag.name}>`;
      const at = text.indexOf(close, tag.end);
      if (at === -1) return { ok: false, error: `<${tag.name}> is never closed`, at: i };
      node.contentEnd = at;
      node.end = at + close.length;
      cursor = node.end;
      i = text.indexOf('<', cursor);
      continue;
    }
    stack.push(node);
    cursor = tag.end;
    i = text.indexOf('<', cursor);
  }
  if (stack.length > 0) {
    const open = stack[stack.length - 1];
    return { ok: false, error: `<${open.tag}> is never closed`, at: open.start };
  }
  if (!isBlank(text, cursor, text.length)) textOutside = true;
  return { ok: true, roots, textOutside };
}

/** The text between a node's tags. */
export const contentOf = (text: string, n: TagNode) => text.slice(n.contentStart, n.contentEnd);
