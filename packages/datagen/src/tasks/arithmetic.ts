// Arithmetic: integer expressions of 2 (easy) to 4 (hard) operands with + − × and,
// at difficulty 3, exact division. Reflection only (no data files).
import { Domain } from '@datarus/contracts';
import type { TaskGenerator } from '../task-spec.js';

export const arithmetic: TaskGenerator = (rng, difficulty) => {
  const n = difficulty + 1;
  const max = [0, 50, 200, 999][difficulty];
  let value = rng.int(2, max);
  let expr = String(value);
  const reasoning: string[] = [];
  for (let i = 1; i < n; i++) {
    const op = rng.pick(difficulty === 3 ? (['+', '-', '*', '/'] as const) : (['+', '-', '*'] as const));
    let b = rng.int(2, op === '*' ? 30 : max);
    if (op === '/') {
      const divisors = [2, 3, 4, 5, 6, 8, 10].filter((d) => value % d === 0);
      if (divisors.length === 0) {
        b = rng.int(2, 20);
        const next = value * b;
        reasoning.push(`${value} * ${b} = ${next}`);
        expr = `(${expr}) * ${b}`;
        value = next;
        continue;
      }
      b = rng.pick(divisors);
    }
    const next = op === '+' ? value + b : op === '-' ? value - b : op === '*' ? value * b : value / b;
    reasoning.push(`${value} ${op} ${b} = ${next}`);
    expr = i === 1 ? `${expr} ${op} ${b}` : `(${expr}) ${op} ${b}`;
    value = next;
  }
  return {
    kind: 'arithmetic.expression',
    domain: Domain.DOMAIN_ARITHMETIC,
    difficulty,
    prompt: `Compute ${expr.replace(/\*/g, '×').replace(/\//g, '÷')}. Give the exact value.`,
    files: [],
    answer: { number: value, unit: '', dp: 0 },
    reasoning: [`Work from the innermost parentheses outwards.`, ...reasoning, `So the value is ${value}.`],
  };
};
