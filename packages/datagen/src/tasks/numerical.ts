// Numerical analysis: the real root of x³ + p·x − q (p > 0, so exactly one) by
// Newton's method; the integral of a polynomial by its antiderivative; and a
// least-squares line through a noisy xy.csv (slope, intercept, or a prediction;
// both modes).
import { Domain } from '@datarus/contracts';
import { toCsv } from '../csv.js';
import { fmt, py, shown } from '../format.js';
import { linearFit } from '../stats.js';
import { traceback, type TaskGenerator } from '../task-spec.js';

export const root: TaskGenerator = (rng, difficulty) => {
  const p = rng.int(1, 5 * difficulty);
  const q = rng.int(3, 20 * difficulty);
  const f = (x: number) => x ** 3 + p * x - q;
  let lo = 0;
  let hi = q;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (f(mid) > 0) hi = mid;
    else lo = mid;
  }
  const exact = (lo + hi) / 2;
  const reasoning = [`Newton: x_{n+1} = x_n - f(x_n) / f'(x_n), with f'(x) = 3x^2 + ${p}.`];
  let x = Math.max(1, Math.round(Math.cbrt(q)));
  for (let it = 0; it < 2 + difficulty; it++) {
    const xs = fmt(x, 6);
    const fx = shown(f(shown(x, 6)), 6);
    const dfx = shown(3 * shown(x, 6) ** 2 + p, 6);
    reasoning.push(`${xs}^3 + ${p} * ${xs} - ${q} = ${fmt(fx, 6)}`, `3 * ${xs}^2 + ${p} = ${fmt(dfx, 6)}`);
    const next = shown(shown(x, 6) - fx / dfx, 6);
    reasoning.push(`${xs} - ${fmt(fx, 6)} / ${fmt(dfx, 6)} = ${fmt(next, 6)}`);
    if (Math.abs(next - x) < 1e-7) break;
    x = next;
  }
  return {
    kind: 'numerical.root',
    domain: Domain.DOMAIN_NUMERICAL_ANALYSIS,
    difficulty,
    prompt: `Find the real root of x^3 + ${p}x - ${q} = 0 to 4 decimals.`,
    files: [],
    answer: { number: shown(exact, 4), unit: '', dp: 4 },
    reasoning: [...reasoning, `The iterates settle at ${fmt(exact, 4)}.`],
  };
};

export const integral: TaskGenerator = (rng, difficulty) => {
  // f(x) = 3a x² + 2b x + c, so F(x) = a x³ + b x² + c x has integer coefficients.
  const a = rng.int(1, 3 * difficulty);
  const b = rng.int(-4, 4);
  const c = rng.int(0, 9);
  const lo = difficulty === 3 ? rng.int(-3, 0) : 0;
  const hi = lo + rng.int(1, 2 + difficulty);
  const F = (x: number) => a * x ** 3 + b * x ** 2 + c * x;
  const term = (x: number) => `${a} * ${x < 0 ? `(${x})` : x}^3 + ${b} * ${x < 0 ? `(${x})` : x}^2 + ${c} * ${x < 0 ? `(${x})` : x}`;
  const value = F(hi) - F(lo);
  return {
    kind: 'numerical.integral',
    domain: Domain.DOMAIN_NUMERICAL_ANALYSIS,
    difficulty,
    prompt: `Compute the integral of ${3 * a}x^2 + ${2 * b}x + ${c} from x = ${lo} to x = ${hi}.`,
    files: [],
    answer: { number: value, unit: '', dp: 4 },
    reasoning: [
      `An antiderivative is F(x) = ${a}x^3 + ${b}x^2 + ${c}x.`,
      `${term(hi)} = ${F(hi)}`,
      `${term(lo)} = ${F(lo)}`,
      `${F(hi)} - ${F(lo) < 0 ? `(${F(lo)})` : F(lo)} = ${value}`,
    ],
  };
};

export const linearRegression: TaskGenerator = (rng, difficulty) => {
  const n = [0, 8, 12, 16][difficulty];
  const slope = rng.float(-3, 5, 1) || 1.5;
  const intercept = rng.float(-10, 10, 1);
  const xs = Array.from({ length: n }, (_, i) => i + 1);
  const ys = xs.map((x) => Number((intercept + slope * x + rng.normal() * 0.8).toFixed(2)));
  const fit = linearFit(xs, ys);
  const x0 = n + rng.int(2, 6);
  const what = ['', 'slope', 'intercept', `predicted y at x = ${x0}`][difficulty];
  const answer = difficulty === 1 ? fit.slope : difficulty === 2 ? fit.intercept : fit.intercept + fit.slope * x0;
  const sxy = shown(fit.sxy, 4);
  const sxx = shown(fit.sxx, 4);
  const b = shown(sxy / sxx, 6);
  const reasoning = [
    `Mean of x = ${fmt(fit.mx, 4)}, mean of y = ${fmt(fit.my, 6)}.`,
    `Sxy = ${fmt(sxy, 4)} and Sxx = ${fmt(sxx, 4)}.`,
    `${fmt(sxy, 4)} / ${fmt(sxx, 4)} = ${fmt(b, 6)}`,
  ];
  if (difficulty >= 2) reasoning.push(`${fmt(fit.my, 6)} - ${fmt(b, 6)} * ${fmt(fit.mx, 4)} = ${fmt(shown(fit.my, 6) - b * shown(fit.mx, 4), 6)}`);
  if (difficulty === 3) {
    const a = shown(shown(fit.my, 6) - b * shown(fit.mx, 4), 6);
    reasoning.push(`${fmt(a, 6)} + ${fmt(b, 6)} * ${x0} = ${fmt(a + b * x0, 6)}`);
  }
  const expr = ['', 'b', 'a', `a + b * ${x0}`][difficulty];
  const code = `import numpy as np\nb, a = np.polyfit(df["x"], df["y"], 1)\nprint(round(${expr}, 4))`;
  const wrong = difficulty === 1 ? linearFit(ys, xs).slope : difficulty === 2 ? linearFit(ys, xs).intercept : linearFit(ys, xs).intercept + linearFit(ys, xs).slope * x0;
  return {
    kind: `numerical.linear_fit`,
    domain: Domain.DOMAIN_NUMERICAL_ANALYSIS,
    difficulty,
    prompt: `xy.csv holds ${n} noisy points. Fit y = a + b·x by least squares and give the ${what}, to 4 decimals.`,
    files: [{ name: 'xy.csv', content: toCsv(['x', 'y'], xs.map((x, i) => [x, ys[i]])) }],
    answer: { number: shown(answer, 4), unit: '', dp: 4 },
    reasoning,
    agentic: {
      steps: [
        {
          thought: 'Load the points.',
          code: `import pandas as pd\ndf = pd.read_csv("xy.csv")\nprint(len(df), round(df["y"].mean(), 4))`,
          observation: `${n} ${py(fit.my)}`,
        },
        {
          thought: `${n} points with mean y ${py(fit.my)}. Fit the line with numpy.`,
          code,
          observation: py(answer),
          errors: [
            {
              kind: 'wrong_column',
              code: code.replace('df["x"], df["y"]', 'df["y"], df["x"]'),
              observation: py(wrong),
              fixThought: `${py(wrong)} comes from regressing x on y: the columns were swapped. polyfit takes x first, then y.`,
            },
            {
              kind: 'typo',
              code: code.replace('np.polyfit', 'np.polyfitt'),
              observation: traceback('b, a = np.polyfitt(df["x"], df["y"], 1)', `AttributeError: module 'numpy' has no attribute 'polyfitt'`),
              fixThought: `AttributeError: 'polyfitt' is a typo for numpy's polyfit. Run the fit again.`,
            },
          ],
        },
      ],
      finalThought: `The ${what} is ${py(answer)}.`,
    },
  };
};
