import { describe, expect, it } from 'vitest';
import { generateTask, generateTasks } from './generate-tasks.js';
import { taskKindsByDomain } from './tasks/registry.js';
import { taskFromJsonLine, taskToJsonLine } from './tasks-jsonl.js';
import { decodeMessage, encodeMessage } from '@datarus/contracts';
import { csvColumn } from './csv.js';
import type { Task } from '@datarus/contracts';

const allKinds = taskKindsByDomain.flat();

describe('generateTask', () => {
  it('is a pure function of (seed, index)', () => {
    for (let i = 0; i < 20; i++) expect(generateTask(42, i)).toEqual(generateTask(42, i));
    expect(generateTask(42, 0)).not.toEqual(generateTask(43, 0));
  });

  it('covers every domain and difficulty', () => {
    const tasks = [...generateTasks({ n: 300, seed: 1 })];
    expect(new Set(tasks.map((t) => t.domain)).size).toBe(5);
    expect(new Set(tasks.map((t) => t.difficulty))).toEqual(new Set([1, 2, 3]));
    expect(new Set(tasks.map((t) => t.kind)).size).toBeGreaterThanOrEqual(14);
  });

  it('gives every task a numeric ground truth, a reflection reference and, with data files, an agentic one', () => {
    let i = 0;
    for (const kind of allKinds)
      for (const d of [1, 2, 3] as const) {
        const t = generateTask(9, i++, { difficulties: [d] }, kind);
        expect(Number.isFinite(t.answer?.number)).toBe(true);
        expect(t.references[0].mode).toBe('MODE_REFLECTION');
        expect(t.references[0].text).toMatch(/^<think>\n[\s\S]+\n<\/think>\n<answer>[^<]+<\/answer>$/);
        const agentic = t.files.length > 0;
        expect(t.modes).toEqual(agentic ? ['MODE_REFLECTION', 'MODE_AGENTIC'] : ['MODE_REFLECTION']);
        if (agentic) {
          const text = t.references[1].text;
          expect(text.match(/<step>/g)?.length).toBe(t.references[1].steps.length);
          expect(text).toMatch(/<stop_analysis>\n<thought>.+<\/thought>\n<answer>.+<\/answer>\n<\/stop_analysis>$/);
        }
      }
  });

  it('injects an error and its fix into about errorRate of agentic references, labelled', () => {
    let agentic = 0;
    let injected = 0;
    const kinds = new Set<string>();
    for (const t of generateTasks({ n: 400, seed: 5, errorRate: 0.3 })) {
      const ref = t.references.find((r) => r.mode === 'MODE_AGENTIC');
      if (!ref) continue;
      agentic++;
      if (!ref.hasInjectedError) {
        expect(ref.steps.every((s) => !s.injectedError && !s.fixesError)).toBe(true);
        continue;
      }
      injected++;
      const bad = ref.steps.findIndex((s) => s.injectedError);
      expect(ref.steps[bad + 1].fixesError).toBe(true);
      expect(ref.steps[bad + 1].errorKind).toBe(ref.steps[bad].errorKind);
      kinds.add(ref.steps[bad].errorKind);
    }
    console.log(`agentic references: ${agentic}, with an injected error: ${injected}`);
    expect(injected / agentic).toBeGreaterThan(0.2);
    expect(injected / agentic).toBeLessThan(0.4);
    expect(kinds).toEqual(new Set(['typo', 'wrong_column', 'wrong_formula']));
  });

  it('round-trips through JSONL and binary protobuf', () => {
    for (const t of generateTasks({ n: 50, seed: 3 })) {
      const line = taskToJsonLine(t);
      expect(line).not.toContain('\n');
      expect(taskFromJsonLine(line)).toEqual(t);
      expect(decodeMessage('datarus.v1.Task', encodeMessage('datarus.v1.Task', t))).toEqual(t);
    }
  });
});

describe('ground truth against an independent recomputation', () => {
  const byKind = (kind: (typeof allKinds)[number], d: 1 | 2 | 3, i: number): Task => generateTask(11, i, { difficulties: [d] }, kind);

  it('statistics mean skips missing cells', () => {
    for (let i = 0; i < 10; i++) {
      const t = byKind('statistics.dataset', 1, i);
      const col = csvColumn(t.files[0].content, 'revenue');
      expect(col.some((v) => v === null)).toBe(true);
      const vals = col.filter((v): v is number => v !== null);
      const m = vals.reduce((a, b) => a + b, 0) / vals.length;
      expect(t.answer?.number).toBeCloseTo(m, 2);
    }
  });

  it('compound interest and BMI follow their formulas', () => {
    for (let i = 0; i < 10; i++) {
      const t = byKind('finance.compound_interest', 3, i);
      const [, p, rate, years] = t.prompt.match(/^(\d+) is invested at ([\d.]+)% a year, compounded monthly, for (\d+) years/)!;
      expect(t.answer?.number).toBeCloseTo(Number(p) * (1 + Number(rate) / 1200) ** (12 * Number(years)), 1);
      const b = byKind('medicine.bmi', 2, i);
      const [, kg, cm] = b.prompt.match(/weighs (\d+) kg and is (\d+) cm/)!;
      expect(b.answer?.number).toBeCloseTo(Number(kg) / (Number(cm) / 100) ** 2, 1);
    }
  });

  it('the root solves its cubic', () => {
    for (let i = 0; i < 10; i++) {
      const t = byKind('numerical.root', 2, i);
      const [, p, q] = t.prompt.match(/x\^3 \+ (\d+)x - (\d+)/)!;
      const x = t.answer!.number!;
      expect(Math.abs(x ** 3 + Number(p) * x - Number(q))).toBeLessThan(1e-3 * (3 * x * x + Number(p)));
    }
  });
});
