// The CLI end to end: the built `datarus` binary against the real SmolLM2 model.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { testTempDir } from '../../../test/support/temp-dir.js';

const BIN = fileURLToPath(new URL('../bin/datarus.js', import.meta.url));
const MODEL = fileURLToPath(new URL('../../../models/SmolLM2-135M-Instruct.Q4_1.gguf', import.meta.url));

function datarus(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120_000 });
}

describe('datarus CLI', () => {
  it('generate --chat --json answers a question', () => {
    const r = datarus('generate', '--model', MODEL, '--chat', '--prompt', 'What is the capital of France?', '--max-tokens', '20', '--json');
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.text).toMatch(/Paris/);
    expect(out.tokens.length).toBe(out.logprobs.length);
    expect(['stop', 'length']).toContain(out.finishReason);
  });

  it('logprobs --json scores every token after the first', () => {
    const r = datarus('logprobs', '--model', MODEL, '--text', 'The capital of France is Paris.', '--json');
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.tokens.length).toBeGreaterThan(4);
    expect(out.tokens.every((t: { logprob: number }) => t.logprob <= 0)).toBe(true);
    // "Paris" after "The capital of France is" should be far likelier than chance (1/49152).
    const paris = out.tokens.find((t: { token: string }) => t.token.trim() === 'Paris');
    expect(paris.logprob).toBeGreaterThan(Math.log(0.05));
  });

  it('bad flags and files exit non-zero with a code', () => {
    const neg = datarus('generate', '--model', MODEL, '--prompt', 'x', '--temperature', '-1');
    expect(neg.status).toBe(2);
    expect(neg.stderr).toMatch(/E_INVALID_ARGUMENT.*--temperature/);
    const missing = datarus('generate', '--model', '/nonexistent.gguf', '--prompt', 'x');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/E_FILE_NOT_FOUND/);
    expect(datarus('frobnicate').status).toBe(2);
  });
});

describe('datarus datagen', () => {
  it('writes the same file for the same seed', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dir = testTempDir('cli-datagen');
    for (const name of ['a', 'b']) {
      const r = datarus('datagen', '--n', '12', '--seed', '5', '--out', join(dir, `${name}.jsonl`));
      expect(r.status, r.stderr).toBe(0);
    }
    const a = readFileSync(join(dir, 'a.jsonl'), 'utf8');
    expect(a.trim().split('\n')).toHaveLength(12);
    expect(readFileSync(join(dir, 'b.jsonl'), 'utf8')).toBe(a);
  });
});

describe('datarus eval', () => {
  it('scores a tasks file and writes every sample, agreeing with its summary', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dir = testTempDir('cli-eval');
    const tasks = join(dir, 'tasks.jsonl');
    expect(datarus('datagen', '--n', '3', '--seed', '9', '--out', tasks).status).toBe(0);
    const out = join(dir, 'records.jsonl');
    const r = datarus('eval', '--model', MODEL, '--tasks', tasks, '--max-tokens', '16', '--out', out, '--json');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/eval \[#+\] 3\/3 100%/);
    const summary = JSON.parse(r.stdout);
    const records = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records).toHaveLength(3);
    expect(summary.samples).toBe(3);
    expect(summary.tokensPerSolution).toBeCloseTo(records.reduce((a, x) => a + x.policyTokens, 0) / 3, 9);
    expect(summary.accuracy).toBeCloseTo(records.filter((x) => x.correct).length / 3, 9);
    for (const x of records) expect(x.policyTokens).toBeLessThanOrEqual(16);
  });

  it('stops on Ctrl-C and reports the tasks done', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [BIN, 'eval', '--model', MODEL, '--n', '8', '--max-tokens', '48', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
    await new Promise<void>((res) =>
      child.stderr.on('data', (d) => {
        stderr += d;
        if (/ 1\/8 /.test(stderr)) res();
      }),
    );
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/interrupted after \d of 8 tasks/);
    const out = JSON.parse(stdout);
    expect(out.interrupted).toBe(true);
    expect(out.tasks).toBeGreaterThanOrEqual(1);
    expect(out.tasks).toBeLessThan(8);
  });

  it('refuses bad flags and unreadable task files with a code', () => {
    const zero = datarus('eval', '--model', MODEL, '--samples', '0');
    expect(zero.status).toBe(2);
    expect(zero.stderr).toMatch(/E_INVALID_ARGUMENT.*--samples/);
    const missing = datarus('eval', '--model', MODEL, '--tasks', '/nonexistent/tasks.jsonl');
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/E_FILE_NOT_FOUND/);
  });
});
