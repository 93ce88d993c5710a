// Finance: percentage growth (easy) or compound annual growth (medium/hard),
// compound interest with monthly/quarterly compounding, and NPV of a cash-flow file
// (both modes). Claims in the reasoning are computed from the values they show, so
// every `expr = value` line holds to the shown precision.
import { Domain } from '@datarus/contracts';
import { toCsv } from '../csv.js';
import { fmt, py, shown } from '../format.js';
import { traceback, type TaskGenerator } from '../task-spec.js';

export const growth: TaskGenerator = (rng, difficulty) => {
  const a = rng.int(50, 500);
  const b = Math.round(a * (1 + rng.float(-0.3, 0.8, 2)));
  if (difficulty === 1) {
    const ratio = shown((b - a) / a, 6);
    const pct = ratio * 100;
    return {
      kind: 'finance.growth',
      domain: Domain.DOMAIN_FINANCE,
      difficulty,
      prompt: `Revenue went from ${a} to ${b}. What is the growth in percent?`,
      files: [],
      answer: { number: shown(pct, 2), unit: '%', dp: 2 },
      reasoning: [`Growth is (new - old) / old.`, `(${b} - ${a}) / ${a} = ${fmt(ratio, 6)}`, `${fmt(ratio, 6)} * 100 = ${fmt(pct, 4)}`],
    };
  }
  const years = difficulty === 2 ? rng.int(2, 5) : rng.int(6, 12);
  const ratio = shown(b / a, 6);
  const g = shown(ratio ** (1 / years), 6);
  const pct = (g - 1) * 100;
  return {
    kind: 'finance.cagr',
    domain: Domain.DOMAIN_FINANCE,
    difficulty,
    prompt: `Revenue went from ${a} to ${b} over ${years} years. What is the compound annual growth rate in percent?`,
    files: [],
    answer: { number: shown(((b / a) ** (1 / years) - 1) * 100, 2), unit: '%', dp: 2 },
    reasoning: [
      `CAGR = (end / start)^(1 / years) - 1.`,
      `${b} / ${a} = ${fmt(ratio, 6)}`,
      `${fmt(ratio, 6)}^(1 / ${years}) = ${fmt(g, 6)}`,
      `(${fmt(g, 6)} - 1) * 100 = ${fmt(pct, 4)}`,
    ],
  };
};

export const compoundInterest: TaskGenerator = (rng, difficulty) => {
  const principal = rng.int(10, 200) * 100;
  const ratePct = rng.float(1, 9, 1);
  const years = rng.int(2, 5 * difficulty);
  const m = [0, 1, 4, 12][difficulty];
  const per = shown(1 + ratePct / 100 / m, 8);
  const growthFactor = shown(per ** (m * years), 6);
  const amount = principal * growthFactor;
  const exact = principal * (1 + ratePct / 100 / m) ** (m * years);
  const freq = ['', 'annually', 'quarterly', 'monthly'][difficulty];
  return {
    kind: 'finance.compound_interest',
    domain: Domain.DOMAIN_FINANCE,
    difficulty,
    prompt: `${principal} is invested at ${ratePct}% a year, compounded ${freq}, for ${years} years. What is the final amount? Round to cents.`,
    files: [],
    answer: { number: shown(exact, 2), unit: '$', dp: 2 },
    reasoning: [
      `A = P (1 + r/m)^(m t) with m = ${m}.`,
      `1 + ${fmt(ratePct / 100, 6)} / ${m} = ${fmt(per, 8)}`,
      `${fmt(per, 8)}^${m * years} = ${fmt(growthFactor, 6)}`,
      `${principal} * ${fmt(growthFactor, 6)} = ${fmt(amount, 2)}`,
    ],
  };
};

export const npv: TaskGenerator = (rng, difficulty) => {
  const years = difficulty + 2;
  const ratePct = rng.int(3, 12);
  const r = ratePct / 100;
  const flows = [-rng.int(50, 200) * 100];
  for (let t = 1; t <= years; t++) flows.push(rng.int(10, 80) * 100);
  const csv = toCsv(['year', 'cash_flow'], flows.map((f, t) => [t, f]));
  const pv = flows.map((f, t) => f / (1 + r) ** t);
  const total = pv.reduce((a, b) => a + b, 0);
  const wrongPv = flows.map((f, t) => f / (1 + r) ** (t + 1)).reduce((a, b) => a + b, 0);
  const reasoning = [`NPV = sum over t of CF_t / (1 + r)^t with r = ${r}.`];
  const shownPv = flows.map((f, t) => {
    const v = shown(f / (1 + r) ** t, 4);
    reasoning.push(t === 0 ? `Year 0: ${f} stays ${f}.` : `${f} / ${fmt(1 + r, 4)}^${t} = ${fmt(v, 4)}`);
    return v;
  });
  reasoning.push(`${shownPv.map((v) => fmt(v, 4)).join(' + ').replace(/\+ -/g, '- ')} = ${fmt(shownPv.reduce((a, b) => a + b, 0), 4)}`);
  const code = `r = ${r}\nprint(round(sum(cf / (1 + r) ** t for t, cf in zip(df["year"], df["cash_flow"])), 4))`;
  return {
    kind: 'finance.npv',
    domain: Domain.DOMAIN_FINANCE,
    difficulty,
    prompt: `cashflows.csv lists a project's cash flows by year (year 0 is the investment). What is the NPV at a ${ratePct}% discount rate? Round to cents.`,
    files: [{ name: 'cashflows.csv', content: csv }],
    answer: { number: shown(total, 2), unit: '$', dp: 2 },
    reasoning,
    agentic: {
      steps: [
        {
          thought: 'Load the cash flows.',
          code: `import pandas as pd\ndf = pd.read_csv("cashflows.csv")\nprint(df["cash_flow"].tolist())`,
          observation: `[${flows.join(', ')}]`,
        },
        {
          thought: `The flows are ${flows.join(', ')}; year ${flows.length - 1} is the last. Discount each flow by (1 + r)^year and sum.`,
          code,
          observation: py(total),
          errors: [
            {
              kind: 'typo',
              code: code.replace('df["cash_flow"]', 'df["cashflow"]'),
              observation: traceback('print(round(sum(cf / (1 + r) ** t for t, cf in zip(df["year"], df["cashflow"])), 4))', `KeyError: 'cashflow'`),
              fixThought: `KeyError: 'cashflow' is not a column; the column is 'cash_flow'. Fix the name.`,
            },
            {
              kind: 'wrong_formula',
              code: code.replace('** t for', '** (t + 1) for'),
              observation: py(wrongPv),
              fixThought: `${py(wrongPv)} discounts year 0 too: the exponent must be the year itself, (1 + r)^t, not t + 1. Recompute.`,
            },
          ],
        },
      ],
      finalThought: `The NPV is ${py(total)}, ${fmt(total, 2)} to the cent.`,
    },
  };
};
