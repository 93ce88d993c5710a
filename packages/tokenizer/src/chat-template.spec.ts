// Jinja interpreter tests: expressions, filters, statements, whitespace control,
// error codes and positions, and Qwen2 / Llama-3 style chat templates.
import { describe, expect, it } from 'vitest';
import { DatarusError, ErrorCode } from '@datarus/contracts';
import { renderChatTemplate } from './chat-template.js';

const r = (t: string, vars: Record<string, unknown> = {}) => renderChatTemplate(t, { messages: [], ...vars });

function errorOf(f: () => unknown): DatarusError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DatarusError);
    return e as DatarusError;
  }
  throw new Error('expected an error');
}

describe('jinja expressions', () => {
  it('prints literals, concatenation and arithmetic', () => {
    expect(r(`{{ 'a' + "b" ~ 1 ~ none ~ true }}`)).toBe('ab1NoneTrue');
    expect(r(`{{ 'it\\'s\\n\\t\\u00e9' }}`)).toBe("it's\n\té");
    expect(r('{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 7 / 2 }}')).toBe('7 9 3 1 2 1024 3.5');
    expect(r('{{ [1, "a", none] }} {{ {"k": [true]} }}')).toBe("[1, 'a', None] {'k': [True]}");
    expect(r('{{ undefined_thing }}|{{ x }}', { x: null })).toBe('|None');
  });

  it('compares, tests membership and combines with and/or/not', () => {
    expect(r(`{{ 1 < 2 }} {{ 'a' == 'a' }} {{ 'b' != 'b' }} {{ 3 >= 4 }} {{ [1,2] == [1,2] }}`)).toBe('True True False False True');
    expect(r(`{{ 'ell' in 'hello' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'z' not in 'abc' }}`)).toBe('True True True True');
    expect(r(`{{ not 0 }} {{ 0 or 'x' }} {{ '' and 'y' }} {{ 1 and 2 }}`)).toBe('True x  2');
    expect(r(`{{ 'yes' if a else 'no' }} {{ 'yes' if b else 'no' }} [{{ 'x' if b }}]`, { a: [1], b: [] })).toBe('yes no []');
  });

  it('reads subscripts, attributes, slices and methods', () => {
    const messages = [{ role: 'system', content: '  sys  ' }, { role: 'user', content: 'hi' }];
    expect(r(`{{ messages[0]['role'] }} {{ messages[1].content }} {{ messages[-1].role }}`, { messages })).toBe('system hi user');
    expect(r(`{% for m in messages[1:] %}{{ m.role }}{% endfor %}|{{ 'abcdef'[::2] }}|{{ [1,2,3][::-1] }}`, { messages })).toBe('user|ace|[3, 2, 1]');
    expect(r(`[{{ messages[0].content.strip() }}] {{ 'a,b'.split(',') }} {{ 'Hi'.startswith('H') }} {{ 'x y  z'.split() }}`, { messages })).toBe("[sys] ['a', 'b'] True ['x', 'y', 'z']");
    expect(r(`{{ d.get('a') }} {{ d.get('zz', 5) }} {% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}`, { d: { a: 1, b: 2 } })).toBe('1 5 a=1;b=2;');
    expect(r(`{{ messages[5] is defined }} {{ messages[0].tool_calls is defined }} {{ x is none }} {{ 3 is odd }}`, { messages, x: null })).toBe('False False True True');
    expect(r(`{{ 'abc' is string }} {{ 4 is divisibleby 2 }} {{ m is mapping }} {{ m.role is not none }}`, { m: { role: 'u' } })).toBe('True True True True');
  });

  it('applies filters', () => {
    expect(r(`[{{ '  x  ' | trim }}] {{ [1,2,3] | length }} {{ 'Ab' | upper }}{{ 'Ab' | lower }} {{ 'abc' | count }}`)).toBe('[x] 3 ABab 3');
    expect(r(`{{ missing | default('dflt') }} {{ '' | default('e', true) }} {{ 'v' | d('w') }}`)).toBe('dflt e v');
    expect(r(`{{ {'a': 1, 'b': [true, none, 'é"']} | tojson }}`)).toBe('{"a": 1, "b": [true, null, "é\\""]}');
    expect(r(`{{ {'a': [1]} | tojson(indent=2) }}`)).toBe('{\n  "a": [\n    1\n  ]\n}');
    expect(r(`{{ ['a','b'] | join(', ') }} {{ [3,1] | first }} {{ [3,1] | last }} {{ 'a-b' | replace('-', '+') }}`)).toBe('a, b 3 1 a+b');
    const ms = [{ role: 'system' }, { role: 'user' }, { role: 'user' }];
    expect(r(`{{ ms | selectattr('role', 'equalto', 'user') | list | length }} {{ ms | map(attribute='role') | join(',') }}`, { ms })).toBe('2 system,user,user');
    expect(r(`{{ ms | rejectattr('role', 'equalto', 'user') | map(attribute='role') | first }}`, { ms })).toBe('system');
  });
});

describe('jinja statements', () => {
  it('loops with the loop object, else, filters, break and continue', () => {
    const t = `{% for x in xs %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.length }}{% if loop.first %}F{% endif %}{% if loop.last %}L{% endif %};{% endfor %}`;
    expect(r(t, { xs: ['a', 'b', 'c'] })).toBe('1/0/3F;2/1/3;3/2/3L;');
    expect(r(`{% for x in xs %}{{ x }}{% else %}empty{% endfor %}`, { xs: [] })).toBe('empty');
    expect(r(`{% for x in xs if x > 1 %}{{ x }}{{ loop.length }},{% endfor %}`, { xs: [1, 2, 3] })).toBe('22,32,');
    expect(r(`{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x > 4 %}{% break %}{% endif %}{{ x }}{% endfor %}`)).toBe('0134');
    expect(r(`{% for x in 'ab' %}{{ x }}{{ loop.revindex }}{% endfor %}`)).toBe('a2b1');
  });

  it('branches with if/elif/else', () => {
    const t = `{% if n == 1 %}one{% elif n == 2 %}two{% elif n == 3 %}three{% else %}many{% endif %}`;
    expect([1, 2, 3, 4].map((n) => r(t, { n }))).toEqual(['one', 'two', 'three', 'many']);
  });

  it('scopes set like Jinja: loop-local unless through namespace()', () => {
    const t = `{% set x = 1 %}{% set ns = namespace(y=1) %}{% for i in [1,2] %}{% set x = x + 10 %}{% set ns.y = ns.y + 10 %}{% endfor %}{{ x }} {{ ns.y }}`;
    expect(r(t)).toBe('1 21');
    expect(r(`{% set a, b = 1, 2 %}{{ a + b }}{% set blk %}in{{ a }}{% endset %}[{{ blk }}]`)).toBe('3[in1]');
  });

  it('defines and calls macros', () => {
    expect(r(`{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('A') }} {{ greet('B', punct='?') }}`)).toBe('Hi A! Hi B?');
  });

  it('controls whitespace with -, trim_blocks and lstrip_blocks', () => {
    expect(r(`a  {{- 'b' -}}  c`)).toBe('abc');
    expect(r(`a\n  {%- if true -%}\n  b\n  {%- endif -%}\n  c`)).toBe('abc');
    // trim_blocks drops the newline after a block tag; lstrip_blocks the indentation before it.
    expect(r(`{% for x in [1,2] %}\n    {% if x %}\n{{ x }}\n    {% endif %}\n{% endfor %}\n`)).toBe('1\n2\n');
    expect(r(`x {# comment #} y`)).toBe('x  y');
    expect(r(`{{ 'a' }}\n{{ 'b' }}\n`)).toBe('a\nb');
    expect(r(`  {{ 'kept' }}`)).toBe('  kept');
  });
});

describe('jinja errors', () => {
  it('turns raise_exception into BadTemplate with its message and position', () => {
    const e = errorOf(() => r(`line1\n{{ raise_exception('Roles must alternate') }}`));
    expect(e.code).toBe(ErrorCode.BadTemplate);
    expect(e.message).toMatch(/2:\d+: raise_exception: Roles must alternate/);
  });

  it('reports parse errors with line and column', () => {
    const cases: [string, RegExp][] = [
      ['{% if x %}never closed', /missing '\{% endif %\}'/],
      ['{{ 1 + }}', /1:8: expected an expression/],
      ["{{ 'unterminated }}", /unterminated string/],
      ['{% endfor %}', /misplaced statement 'endfor'/],
      ['ok\n{% frobnicate %}', /2:4: unknown or misplaced statement 'frobnicate'/],
      ['{{ x }', /unclosed tag/],
      ['{{ a b }}', /expected '\}\}'/],
    ];
    for (const [t, re] of cases) {
      const e = errorOf(() => r(t));
      expect(e.code).toBe(ErrorCode.BadTemplate);
      expect(e.message).toMatch(re);
    }
  });

  it('reports render errors: undefined access, bad operands, unknown filters', () => {
    expect(errorOf(() => r('{{ nope.attr }}')).message).toMatch(/'nope' is undefined/);
    expect(errorOf(() => r("{{ 1 + 'a' }}")).message).toMatch(/unsupported operands/);
    expect(errorOf(() => r('{{ 1 | frob }}')).message).toMatch(/unknown filter 'frob'/);
    expect(errorOf(() => r('{{ x is frob }}')).message).toMatch(/unknown test 'frob'/);
    expect(errorOf(() => r('{{ 1 // 0 }}')).message).toMatch(/division by zero/);
    expect(errorOf(() => r('{% set x = 1 %}{% set x.y = 2 %}')).message).toMatch(/not a namespace/);
  });
});

describe('real chat templates', () => {
  const QWEN2 = `{%- for message in messages %}
    {%- if loop.first and messages[0]['role'] != 'system' %}
        {{- '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}
    {%- endif %}
    {{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}
{%- endfor %}
{%- if add_generation_prompt %}
    {{- '<|im_start|>assistant\\n' }}
{%- endif %}
`;

  it('renders a Qwen2-style template with a default system message', () => {
    const user = [{ role: 'user', content: 'Hi' }];
    expect(renderChatTemplate(QWEN2, { messages: user, add_generation_prompt: true })).toBe(
      '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n',
    );
    const withSystem = [{ role: 'system', content: 'Be terse.' }, ...user, { role: 'assistant', content: 'Hello.' }];
    expect(renderChatTemplate(QWEN2, { messages: withSystem })).toBe(
      '<|im_start|>system\nBe terse.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n',
    );
  });

  it('renders a Llama-3-style template with bos_token and namespace state', () => {
    const LLAMA3 = `{{- bos_token }}{%- set ns = namespace(sys='') %}{%- if messages[0]['role'] == 'system' %}{%- set ns.sys = messages[0]['content'] | trim %}{%- set messages = messages[1:] %}{%- endif %}
{%- if ns.sys %}{{- '<|start_header_id|>system<|end_header_id|>\\n\\n' + ns.sys + '<|eot_id|>' }}{%- endif %}
{%- for message in messages %}
    {%- if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
        {{- raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}
    {%- endif %}
    {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}
{%- endfor %}
{%- if add_generation_prompt %}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{%- endif %}`;
    const msgs = [{ role: 'system', content: ' S ' }, { role: 'user', content: 'Q' }];
    expect(renderChatTemplate(LLAMA3, { messages: msgs, bos_token: '<|begin_of_text|>', add_generation_prompt: true })).toBe(
      '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nQ<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
    );
    const bad = [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }];
    const e = errorOf(() => renderChatTemplate(LLAMA3, { messages: bad }));
    expect(e.code).toBe(ErrorCode.BadTemplate);
    expect(e.message).toMatch(/roles must alternate/);
  });
});
