// Hand-written trajectories for the reward tests: one task in each mode and the
// failure kinds the issue lists. Observation spans are given where the harness
// appended the observations, as the rollout worker reports them.
import type { Span, Task } from '@datarus/contracts';

export const growthTask: Task = {
  id: 'hand-growth',
  domain: 'DOMAIN_FINANCE',
  difficulty: 1,
  modes: ['MODE_REFLECTION'],
  prompt: 'Revenue grew from 120 to 150. What is the growth in percent?',
  files: [],
  answer: { number: 25, value: 'number', unit: '%', relTolerance: 0 },
  references: [],
  kind: 'finance.growth',
};

export const meanTask: Task = {
  id: 'hand-mean',
  domain: 'DOMAIN_STATISTICS',
  difficulty: 1,
  modes: ['MODE_REFLECTION', 'MODE_AGENTIC'],
  prompt: 'What is the mean monthly revenue in data.csv?',
  files: [{ name: 'data.csv', content: 'month,revenue\n1,131.2\n' }],
  answer: { number: 131.2, value: 'number', unit: '', relTolerance: 0 },
  references: [],
  kind: 'statistics.mean',
};

const think = (lines: string) => `<think>\n${lines}\n</think>\n`;

export const reflection = {
  perfect: think('Revenue grew from 120 to 150, so growth = (150 - 120) / 120 = 0.25.\n0.25 * 100 = 25') + '<answer>25%</answer>',
  missingTags: 'Revenue grew from 120 to 150, so growth = (150 - 120) / 120 = 0.25.\n<answer>25%</answer>',
  misnested: '<think>\n(150 - 120) / 120 = 0.25\n<answer>25%</think></answer>',
  textOutside: 'Sure, here you go. ' + think('(150 - 120) / 120 = 0.25') + '<answer>25%</answer>\nHope this helps!',
  wrongAnswerGoodForm: think('Revenue grew from 120 to 150, so growth = (150 - 120) / 150 = 0.2.\n0.2 * 100 = 20') + '<answer>20%</answer>',
  rightAnswerBadForm: '<answer>25%</answer>\nbecause (150 - 120) / 120 = 0.25 ' + think('0.25 * 100 = 25'),
  arithmeticSlip: think('150 - 120 = 30\n30 / 120 = 0.4\n0.25 * 100 = 25') + '<answer>25%</answer>',
};

interface StepSpec {
  thought: string;
  code: string;
  observation?: string;
  /** Written by the model, not the harness (no span). */
  fake?: boolean;
}

/** An agentic trajectory and the spans of its harness-appended observations. */
export function agentic(steps: StepSpec[], stop: string | null = '<stop_analysis>\n<thought>The mean is 131.2.</thought>\n<answer>131.2</answer>\n</stop_analysis>') {
  let text = '';
  const spans: Span[] = [];
  for (const s of steps) {
    text += `<step>\n<thought>${s.thought}</thought>\n<action>python_executor</action>\n<action_input>\n${s.code}\n</action_input>`;
    if (s.observation !== undefined) {
      const start = text.length;
      text += `<observation>\n${s.observation}\n</observation>`;
      if (!s.fake) spans.push({ start, end: text.length });
    }
    text += '\n</step>\n';
  }
  if (stop) text += stop;
  return { text, spans };
}

const load = { thought: 'Load the data.', code: 'import pandas as pd\ndf = pd.read_csv("data.csv")\nprint(len(df))', observation: '48' };
const compute = { thought: 'There are 48 rows; take the mean.', code: 'print(df["revenue"].mean())', observation: '131.2' };

export const agenticCases = {
  perfect: agentic([load, compute]),
  hallucinated: agentic([load, { ...compute, fake: true }]),
  repeated: agentic([load, compute, { ...compute, thought: 'The mean is 131.2; check again.' }]),
  selfCorrection: agentic([
    load,
    { thought: 'There are 48 rows; take the mean.', code: 'print(df["revnue"].mean())', observation: "Traceback (most recent call last):\nKeyError: 'revnue'" },
    { thought: "KeyError: 'revnue' is a typo; use revenue.", code: compute.code, observation: '131.2' },
  ]),
  wrongAnswer: agentic([load, compute], '<stop_analysis>\n<thought>The mean is 140.</thought>\n<answer>140</answer>\n</stop_analysis>'),
  noStop: agentic([load, compute], null),
  ignoresObservation: agentic([load, { ...compute, thought: 'Compute the average now.' }]),
};
