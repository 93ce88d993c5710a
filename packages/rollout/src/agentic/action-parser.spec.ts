// The step parser and the observation text, as pure functions.
import { describe, expect, it } from 'vitest';
import { codeOf, parseAction } from './action-parser.js';
import { observationBlock, observationBody } from './observation.js';
import { unknownToolMessage } from './tools.js';

const step = (action: string, input: string) => `<step>\n<thought>Look.</thought>\n<action>${action}</action>\n<action_input>${input}</action_input>`;

describe('parseAction', () => {
  it('reads the tool name and the input of the last step', () => {
    const text = `${step('python_executor', '\nprint(1)\n')}\n<observation>\n1\n</observation>\n</step>\n${step(' python_executor ', '\nx = 2\nprint(x)\n')}`;
    expect(parseAction(text)).toEqual({ ok: true, tool: 'python_executor', input: '\nx = 2\nprint(x)\n' });
  });

  it('reports a step without <action>, without <action_input>, or without its end', () => {
    expect(parseAction('<step>\n<thought>t</thought>\n<action_input>\nprint(1)\n</action_input>')).toMatchObject({
      ok: false,
      message: expect.stringContaining('no <action>'),
    });
    expect(parseAction('<action>python_executor</action>\nprint(1)\n</action_input>')).toMatchObject({ ok: false });
    expect(parseAction('<action>python_executor</action><action_input>print(1)')).toMatchObject({ ok: false });
  });

  it('keeps an unknown tool name for the caller to refuse', () => {
    const p = parseAction(step('calculator', '1+1'));
    expect(p).toEqual({ ok: true, tool: 'calculator', input: '1+1' });
    expect(unknownToolMessage('calculator')).toBe('Error: unknown tool "calculator". Available tools: python_executor.');
  });
});

describe('codeOf', () => {
  it('drops outer blank lines, a Markdown fence and common indentation', () => {
    expect(codeOf('\nimport pandas as pd\nprint(1)\n')).toBe('import pandas as pd\nprint(1)');
    expect(codeOf('\n```python\nfor i in range(2):\n    print(i)\n```\n')).toBe('for i in range(2):\n    print(i)');
    expect(codeOf('\n    x = 1\n\n    if x:\n        print(x)\n')).toBe('x = 1\n\nif x:\n    print(x)');
    expect(codeOf('\n  \n')).toBe('');
  });
});

describe('observation text', () => {
  it('has the reference layout, with one newline after </action_input>', () => {
    expect(observationBlock(observationBody('8\n\n'), '...</action_input>')).toBe('\n<observation>\n8\n</observation>\n</step>\n');
    expect(observationBlock('8', '...</action_input>\n')).toBe('<observation>\n8\n</observation>\n</step>\n');
  });

  it('says so when a cell prints nothing', () => {
    expect(observationBody(' \n')).toBe('[no output]');
  });
});
