// Statistics of a generated monthly dataset (revenue and cost) with missing cells
// and injected outliers: mean (easy), median (medium), mean after removing IQR
// outliers (hard). Both modes; the agentic reference loads data.csv with pandas.
import { Domain } from '@datarus/contracts';
import { toCsv, type Cell } from '../csv.js';
import { fmt, py, shown } from '../format.js';
import { iqrFilter, mean, median, present, sum } from '../stats.js';
import { traceback, type AgenticStep, type TaskGenerator } from '../task-spec.js';

export const statistics: TaskGenerator = (rng, difficulty) => {
  const n = [0, 12, 20, 30][difficulty];
  const base = rng.int(80, 200);
  const revenue: (number | null)[] = [];
  const cost: (number | null)[] = [];
  for (let i = 0; i < n; i++) {
    revenue.push(Math.max(1, Math.round(base + rng.normal() * base * 0.1)));
    cost.push(Math.max(1, Math.round(base * 0.6 + rng.normal() * base * 0.08)));
  }
  const missing = rng.sample(n, difficulty + 1);
  for (const i of missing) revenue[i] = null;
  for (const i of rng.sample(n, difficulty)) if (cost[i] !== null) cost[i] = null;
  const outliers = rng.sample(n, difficulty).filter((i) => revenue[i] !== null);
  for (const i of outliers) revenue[i] = (revenue[i] as number) * rng.int(6, 12);
  const rows: Cell[][] = revenue.map((r, i) => [i + 1, r, cost[i]]);
  const csv = toCsv(['month', 'revenue', 'cost'], rows);

  const vals = present(revenue);
  const costVals = present(cost);
  const missingCount = n - vals.length;
  const what = ['', 'mean', 'median', 'mean after removing outliers (values outside Q1 − 1.5·IQR .. Q3 + 1.5·IQR)'][difficulty];
  const prompt =
    `data.csv holds ${n} months of revenue and cost; some cells are missing. ` +
    `What is the ${what} of the revenue column, ignoring missing values? Round to 2 decimals.`;

  const reasoning: string[] = [`${missingCount} revenue values are missing, leaving ${vals.length}.`];
  let answer: number;
  let code: string;
  let wrongColumn: number;
  if (difficulty === 1) {
    answer = mean(vals);
    wrongColumn = mean(costVals);
    const s = sum(vals);
    reasoning.push(`The present values sum to ${s}.`, `${s} / ${vals.length} = ${fmt(s / vals.length, 4)}`);
    code = `print(round(df["revenue"].mean(), 4))`;
  } else if (difficulty === 2) {
    answer = median(vals);
    wrongColumn = median(costVals);
    const sorted = [...vals].sort((a, b) => a - b);
    reasoning.push(`Sorted: ${sorted.join(', ')}.`);
    if (sorted.length % 2 === 0) {
      const a = sorted[sorted.length / 2 - 1];
      const b = sorted[sorted.length / 2];
      reasoning.push(`The two middle values are ${a} and ${b}; (${a} + ${b}) / 2 = ${fmt((a + b) / 2)}`);
    } else reasoning.push(`The middle value is ${sorted[(sorted.length - 1) / 2]}.`);
    code = `print(round(df["revenue"].median(), 4))`;
  } else {
    const { kept, lo, hi } = iqrFilter(vals);
    answer = mean(kept);
    wrongColumn = mean(iqrFilter(costVals).kept);
    const s = sum(kept);
    reasoning.push(
      `The fences are ${fmt(lo, 2)} and ${fmt(hi, 2)}; ${vals.length - kept.length} values fall outside and are dropped.`,
      `The ${kept.length} kept values sum to ${s}.`,
      `${s} / ${kept.length} = ${fmt(s / kept.length, 4)}`,
    );
    code =
      `s = df["revenue"].dropna()\nq1, q3 = s.quantile(0.25), s.quantile(0.75)\n` +
      `kept = s[(s >= q1 - 1.5 * (q3 - q1)) & (s <= q3 + 1.5 * (q3 - q1))]\nprint(round(kept.mean(), 4))`;
  }
  reasoning.push(`Rounded to 2 decimals the ${difficulty === 2 ? 'median' : 'mean'} is ${fmt(answer, 2)}.`);

  const load: AgenticStep = {
    thought: 'Load data.csv and count the rows and the missing revenue cells.',
    code: `import pandas as pd\ndf = pd.read_csv("data.csv")\nprint(len(df), df["revenue"].isna().sum())`,
    observation: `${n} ${missingCount}`,
  };
  const firstLine = code.split('\n')[0];
  const compute: AgenticStep = {
    thought: `There are ${n} rows and ${missingCount} missing revenue values; pandas skips them. Compute the ${difficulty === 2 ? 'median' : 'mean'}.`,
    code,
    observation: py(answer),
    errors: [
      {
        kind: 'typo',
        code: code.replace('"revenue"', '"revnue"'),
        observation: traceback(firstLine.replace('"revenue"', '"revnue"'), `KeyError: 'revnue'`),
        fixThought: `KeyError: the column name was misspelt as 'revnue'; the column is 'revenue'. Run it again with the right name.`,
      },
      {
        kind: 'wrong_column',
        code: code.replace('"revenue"', '"cost"'),
        observation: py(wrongColumn),
        fixThought: `${py(wrongColumn)} is far below the revenue level: that was the cost column, not revenue. Recompute on the revenue column.`,
      },
    ],
  };
  if (difficulty === 1) {
    const wrong = sum(vals) / n;
    compute.errors!.push({
      kind: 'wrong_formula',
      code: `print(round(df["revenue"].sum() / len(df), 4))`,
      observation: py(wrong),
      fixThought: `${py(wrong)} divides by all ${n} rows, but ${missingCount} values are missing: the mean must divide by the ${vals.length} present values. Use mean(), which skips them.`,
    });
  }
  return {
    kind: `statistics.${['', 'mean', 'median', 'robust_mean'][difficulty]}`,
    domain: Domain.DOMAIN_STATISTICS,
    difficulty,
    prompt,
    files: [{ name: 'data.csv', content: csv }],
    answer: { number: shown(answer, 2), unit: '', dp: 2 },
    reasoning,
    agentic: {
      steps: [load, compute],
      finalThought: `The ${difficulty === 2 ? 'median' : 'mean'} revenue is ${py(answer)}, ${fmt(answer, 2)} rounded to 2 decimals.`,
    },
  };
};
