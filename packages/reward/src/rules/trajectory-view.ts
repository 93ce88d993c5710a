// A parsed trajectory in the terms the reward rules use: the reflection blocks,
// or the agentic steps (thought, action, code, observation) and the stop block.
// Also finds hallucinated observations: with the harness's observation spans, any
// <observation> outside them; without, any that is not the single block directly
// after the step's </action_input>.
import type { Span } from '@datarus/contracts';
import { contentOf, parseTags, type ParseResult, type TagNode } from './tag-parser.js';

export interface AgenticStepView {
  node: TagNode;
  /** Child tags in order, e.g. ['thought', 'action', 'action_input', 'observation']. */
  order: string[];
  thought: string | null;
  action: string | null;
  code: string | null;
  observation: string | null;
  hallucinatedObservation: boolean;
}

export interface TrajectoryView {
  parse: ParseResult;
  steps: AgenticStepView[];
}

function childText(text: string, n: TagNode, tag: string): string | null {
  const c = n.children.find((x) => x.tag === tag);
  return c ? contentOf(text, c) : null;
}

export function viewTrajectory(text: string, observationSpans: readonly Span[] = []): TrajectoryView {
  const parse = parseTags(text);
  if (!parse.ok) return { parse, steps: [] };
  const inSpan = (n: TagNode) => observationSpans.some((s) => n.start >= s.start && n.end <= s.end);
  const steps = parse.roots
    .filter((r) => r.tag === 'step')
    .map((node): AgenticStepView => {
      const order = node.children.map((c) => c.tag);
      const observations = node.children.filter((c) => c.tag === 'observation');
      let hallucinated: boolean;
      if (observationSpans.length > 0) hallucinated = observations.some((o) => !inSpan(o));
      else {
        const at = order.indexOf('observation');
        hallucinated = observations.length > 1 || (at !== -1 && order[at - 1] !== 'action_input');
      }
      const obs = observations.length > 0 ? contentOf(text, observations[observations.length - 1]) : null;
      return {
        node,
        order,
        thought: childText(text, node, 'thought'),
        action: childText(text, node, 'action'),
        code: childText(text, node, 'action_input'),
        observation: obs,
        hallucinatedObservation: hallucinated,
      };
    });
  return { parse, steps };
}

/** The final answer, leniently: the last <answer>…</answer> even when the tags around it are broken. */
export function extractAnswer(text: string): string | null {
  const open = text.lastIndexOf('<answer>');
  if (open === -1) return null;
  const close = text.indexOf('</answer>', open + 8);
  const raw = text.slice(open + 8, close === -1 ? Math.min(text.length, open + 8 + 1000) : Math.min(close, open + 8 + 100_000));
  // drop stray known tags inside a broken answer ("25%</think>")
  return raw.replace(/<\/?(?:think|answer|step|thought|action|action_input|observation|stop_analysis)>/g, '').trim();
}

/** Code with whitespace runs collapsed, for comparing steps. */
export function normalizeCode(code: string): string {
  return code.trim().split(/\s+/).join(' ');
}
