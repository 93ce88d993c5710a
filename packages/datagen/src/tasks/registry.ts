// The task kinds the generator draws from, by name. Each is a pure function of
// (rng, difficulty); domains are drawn uniformly, then a kind within the domain.
import type { TaskGenerator } from '../task-spec.js';
import { arithmetic } from './arithmetic.js';
import { compoundInterest, growth, npv } from './finance.js';
import { bmi, diagnosticTest, dosage } from './medicine.js';
import { integral, linearRegression, root } from './numerical.js';
import { statistics } from './statistics.js';

export const taskGenerators = {
  'arithmetic.expression': arithmetic,
  'statistics.dataset': statistics,
  'finance.growth': growth,
  'finance.compound_interest': compoundInterest,
  'finance.npv': npv,
  'medicine.dosage': dosage,
  'medicine.bmi': bmi,
  'medicine.diagnostic_test': diagnosticTest,
  'numerical.root': root,
  'numerical.integral': integral,
  'numerical.linear_fit': linearRegression,
} as const satisfies Record<string, TaskGenerator>;

export type TaskKind = keyof typeof taskGenerators;

export const taskKindsByDomain: readonly (readonly TaskKind[])[] = [
  ['arithmetic.expression'],
  ['statistics.dataset'],
  ['finance.growth', 'finance.compound_interest', 'finance.npv'],
  ['medicine.dosage', 'medicine.bmi', 'medicine.diagnostic_test'],
  ['numerical.root', 'numerical.integral', 'numerical.linear_fit'],
];
