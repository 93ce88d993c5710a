// How a task is posed to the policy: a system message that states the output
// format of the mode (TRAJECTORY.md) with one short example (without it a small
// model's warm-up takes twice the steps), and a user message
// with the problem. In reflection mode the model cannot read files, so their
// contents are inlined below the problem; in agentic mode they sit in the
// sandbox's working directory and the prompt only names them.
import type { Mode, Task } from '@datarus/contracts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export const REFLECTION_SYSTEM_PROMPT = [
  'You solve quantitative problems. First reason step by step inside <think> </think>,',
  'writing each calculation as "a op b = c". Then give only the final value inside <answer> </answer>.',
  'Example:',
  '<think>',
  'Growth is (new - old) / old.',
  '(150 - 120) / 120 = 0.25',
  '</think>',
  '<answer>25%</answer>',
].join('\n');

export const AGENTIC_SYSTEM_PROMPT = [
  'You are a data analyst with a Python notebook. Work in steps. Each step is',
  '<step><thought>what you do next and why</thought><action>python_executor</action><action_input>',
  'python code that prints what you need',
  '</action_input>',
  'and the notebook then appends <observation>the printed output</observation></step>.',
  'Variables persist between steps. When you know the result, finish with',
  '<stop_analysis><thought>how the result follows</thought><answer>the final value</answer></stop_analysis>',
].join('\n');

/** Where the policy's text stops for the harness: after a final answer, or after code to run. */
export const STOP_STRINGS: Record<'MODE_REFLECTION' | 'MODE_AGENTIC', string[]> = {
  MODE_REFLECTION: ['</answer>'],
  MODE_AGENTIC: ['</action_input>', '</stop_analysis>'],
};

/** Files inlined into a reflection prompt are cut past this many characters each. */
export const MAX_INLINE_FILE_CHARS = 4000;

function inlineFiles(task: Task): string {
  return task.files
    .map((f) => {
      const body = f.content.length > MAX_INLINE_FILE_CHARS ? `${f.content.slice(0, MAX_INLINE_FILE_CHARS)}\n[... cut]` : f.content;
      return `\n\n${f.name}:\n${body.trimEnd()}`;
    })
    .join('');
}

/** The chat messages that pose `task` in `mode`. */
export function poseTask(task: Task, mode: Mode): ChatMessage[] {
  if (mode === 'MODE_AGENTIC') {
    const files = task.files.length ? `\n\nFiles in the working directory: ${task.files.map((f) => f.name).join(', ')}.` : '';
    return [
      { role: 'system', content: AGENTIC_SYSTEM_PROMPT },
      { role: 'user', content: task.prompt + files },
    ];
  }
  return [
    { role: 'system', content: REFLECTION_SYSTEM_PROMPT },
    { role: 'user', content: task.prompt + inlineFiles(task) },
  ];
}

/** The task's reference trajectory for `mode`, the target of supervised warm-up; undefined if none. */
export function referenceCompletion(task: Task, mode: Mode): string | undefined {
  return task.references.find((r) => r.mode === mode)?.text;
}
