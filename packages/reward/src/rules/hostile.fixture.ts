// Hostile completions: large, deeply nested, unbalanced, invalid UTF-8 and
// regex-bomb shaped inputs, each about 100,000 characters.
const N = 100_000;
const fill = (unit: string) => unit.repeat(Math.ceil(N / unit.length)).slice(0, N);

export const hostileCompletions: Record<string, string> = {
  nestedThink: fill('<think>'),
  nestedStep: fill('<step>'),
  nestedMixed: fill('<step><thought><think><answer>'),
  closingOnly: fill('</think>'),
  unbalancedPairs: fill('<think></answer>'),
  manyBlocks: fill('<think>x</think><answer>1</answer>'),
  manySteps: fill('<step><thought>t</thought><action>python_executor</action><action_input>x</action_input><observation>1</observation></step>'),
  unclosedCode: '<step><thought>t</thought><action>python_executor</action><action_input>' + fill('<observation>'),
  openAngles: fill('<'),
  almostTags: fill('<thin'),
  invalidUtf8: new TextDecoder('utf-8').decode(Uint8Array.from({ length: N }, (_, i) => [0xff, 0xc3, 0x28, 0xe2, 0x82, 0xa0, 0xed, 0xa0, 0x80][i % 9])),
  loneSurrogates: fill('\ud800a\udfff<think>'),
  nulBytes: fill('\u0000<answer>\u0000'),
  equalsSigns: `<think>${fill('=')}</think><answer>1</answer>`,
  longSum: `<think>${fill('1 + ')}1 = 2</think><answer>1</answer>`,
  openParens: `<think>${fill('(')}1 = 1</think><answer>1</answer>`,
  digits: `<think>${fill('9')} = ${fill('9')}</think><answer>${fill('9')}</answer>`,
  whitespace: `<think>${fill(' ')}=${fill(' ')}</think><answer>${fill(' ')}</answer>`,
  claimLines: `<think>${fill('1+1=2\n')}</think><answer>2</answer>`,
  wrongClaimLines: `<think>${fill('(1+2)*3=10\n')}</think><answer>2</answer>`,
  claimsEverywhere: `<think>${fill('1+1=2 ')}</think><answer>2</answer>`,
  percentOf: `<think>${fill('5% of ')}10 = 0.5</think><answer>1</answer>`,
  errorLines: fill('<step><thought>t</thought><action>a</action><action_input>x</action_input><observation>' + 'E'.repeat(500) + 'rror\nTraceback (most recent call' + '</observation></step>'),
  wordRun: `<step><thought>${fill('a')}</thought><action>a</action><action_input>x</action_input><observation>${fill('Errorr')}</observation></step>`,
  answerBomb: `<think>x</think><answer>${fill('1,')}%</answer>`,
  answerSpaces: `<think>x</think><answer>1${fill(' ')}x</answer>`,
  newlines: fill('\n<step>\n'),
};
