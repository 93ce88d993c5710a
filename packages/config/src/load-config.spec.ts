import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testTempDir } from '../../../test/support/temp-dir.js';
import { LAPTOP_DEFAULTS, loadRunConfig, parseOverrides, RunConfig, validateRunConfig } from './index.js';

const tmp = () => testTempDir('config');

describe('run config', () => {
  it('resolves the laptop defaults with no flags and fills the fields that follow the step count', () => {
    const c = loadRunConfig([]);
    expect(c.steps).toBe(LAPTOP_DEFAULTS.steps);
    expect(c.grpo.groupSize).toBe(4);
    expect(c.grpo.totalSteps).toBe(c.steps);
    expect(c.reward.curriculum.totalSteps).toBeGreaterThan(0);
    expect(c.nats).toBeUndefined();
    expect(c.grpo.beta).toBe(0.04);
  });

  it('takes flags in kebab or camel case, nested by dotted path or by a unique leaf name', () => {
    const c = loadRunConfig(['--steps', '50', '--group-size', '8', '--grpo.lr=3e-6', '--tasks.kinds', 'finance.npv,medicine.bmi', '--rollout.workers', '2']);
    expect(c.steps).toBe(50);
    expect(c.grpo.groupSize).toBe(8);
    expect(c.grpo.lr).toBe(3e-6);
    expect(c.tasks.kinds).toEqual(['finance.npv', 'medicine.bmi']);
    expect(c.rollout.workers).toBe(2);
  });

  it('layers defaults, then the file, then flags', () => {
    const file = join(tmp(), 'run.json');
    writeFileSync(file, JSON.stringify({ steps: 7, grpo: { lr: 1e-4 }, nats: { url: 'nats://10.0.0.1:4222' } }));
    const c = loadRunConfig(['--config', file, '--steps', '9']);
    expect(c.steps).toBe(9);
    expect(c.grpo.lr).toBe(1e-4);
    expect(c.grpo.groupSize).toBe(4);
    expect(c.nats?.url).toBe('nats://10.0.0.1:4222');
  });

  it('refuses an invalid config with the path of every bad field', () => {
    let message = '';
    let code = '';
    try {
      loadRunConfig(['--steps', '0', '--grpo.group-size', '1', '--sampling.top-p', '2', '--grpo.bogus', '3']);
    } catch (e) {
      message = (e as Error).message;
      code = (e as { code: string }).code;
    }
    expect(code).toBe('E_INVALID_CONFIG');
    expect(message).toContain('steps:');
    expect(message).toContain('grpo.groupSize:');
    expect(message).toContain('sampling.topP:');
    expect(message).toMatch(/grpo: unknown field\(s\) bogus/);
  });

  it('says which flag is ambiguous and which file is unreadable or not JSON', () => {
    expect(() => parseOverrides(RunConfig, ['--seed', '3'])).toThrow(/ambiguous.*--tasks\.seed/);
    expect(() => loadRunConfig(['--config', join(tmp(), 'missing.json')])).toThrow(/cannot read config file/);
    const bad = join(tmp(), 'bad.json');
    writeFileSync(bad, '{ steps: ');
    expect(() => loadRunConfig(['--config', bad])).toThrow(/not valid JSON/);
  });

  it('validates a whole object too (what every process reads back from the run directory)', () => {
    const c = loadRunConfig(['--steps', '3']);
    expect(validateRunConfig(JSON.parse(JSON.stringify(c)))).toEqual(c);
  });
});
