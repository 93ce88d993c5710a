// Chat templates: renders a Hugging Face chat template (Jinja2) for a list of
// messages, with the environment HF uses (trim_blocks, lstrip_blocks, the
// loopcontrols extension, raise_exception, strftime_now). Parsed templates are
// cached by source text, since one model's template is rendered many times.
import { parseTemplate } from './jinja/parser.js';
import type { Stmt } from './jinja/ast.js';
import { globalFunctions } from './jinja/builtins.js';
import { Interpreter, Scope } from './jinja/interpreter.js';
import { fromJs } from './jinja/values.js';

export interface ChatMessage {
  role: string;
  content: string;
  [key: string]: unknown;
}

export interface ChatTemplateContext {
  messages: readonly ChatMessage[];
  add_generation_prompt?: boolean;
  bos_token?: string;
  eos_token?: string;
  [key: string]: unknown;
}

/** A parsed template, renderable with any variables. */
export class Template {
  private readonly body: Stmt[];

  constructor(readonly source: string) {
    this.body = parseTemplate(source);
  }

  render(vars: Record<string, unknown>): string {
    const root = new Scope();
    for (const [k, v] of Object.entries(globalFunctions())) root.set(k, v);
    for (const [k, v] of Object.entries(vars)) root.set(k, fromJs(v));
    return new Interpreter(this.source).render(this.body, new Scope(root));
  }
}

const CACHE_MAX = 32;
const cache = new Map<string, Template>();

/** Parses `source` once and reuses it; throws DatarusError(BadTemplate) on syntax errors. */
export function compileTemplate(source: string): Template {
  let t = cache.get(source);
  if (!t) {
    t = new Template(source);
    if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
    cache.set(source, t);
  }
  return t;
}

/** Renders a chat template; add_generation_prompt defaults to false, as in HF. */
export function renderChatTemplate(template: string, ctx: ChatTemplateContext): string {
  return compileTemplate(template).render({ add_generation_prompt: false, ...ctx });
}
