import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { suiteTempDir } from '../../../test/support/temp-dir.js';
import { runDatagenCommand } from './datagen-command.js';
import { parseTasksJsonl } from './tasks-jsonl.js';

const dir = suiteTempDir('datagen');

function capture() {
  let text = '';
  return { sink: { write: (s: string) => (text += s), isTTY: false }, text: () => text };
}

describe('datarus datagen', () => {
  it('writes N tasks, shows progress on stderr, and the same seed gives the same file', async () => {
    const err = capture();
    const out = capture();
    const a = join(dir(), 'a.jsonl');
    const b = join(dir(), 'b.jsonl');
    expect(await runDatagenCommand(['--n', '200', '--seed', '7', '--out', a], { stdout: out.sink, stderr: err.sink })).toBe(0);
    expect(await runDatagenCommand(['--n', '200', '--seed', '7', '--out', b], { stdout: out.sink, stderr: err.sink })).toBe(0);
    expect(readFileSync(a)).toEqual(readFileSync(b));
    expect(parseTasksJsonl(readFileSync(a, 'utf8'))).toHaveLength(200);
    expect(err.text()).toContain('200/200 100%');
    expect(out.text()).toBe('');
    const c = join(dir(), 'c.jsonl');
    await runDatagenCommand(['--n', '200', '--seed', '8', '--out', c], { stdout: out.sink, stderr: err.sink });
    expect(readFileSync(c)).not.toEqual(readFileSync(a));
  });

  it('rejects bad flags with exit code 2 and names the flag', async () => {
    const err = capture();
    const io = { stdout: capture().sink, stderr: err.sink };
    expect(await runDatagenCommand(['--n', 'ten', '--out', join(dir(), 'x')], io)).toBe(2);
    expect(err.text()).toContain('--n');
    expect(await runDatagenCommand(['--n', '5', '--seed', '-1', '--out', join(dir(), 'x')], io)).toBe(2);
    expect(err.text()).toContain('--seed');
    expect(await runDatagenCommand(['--n', '5'], io)).toBe(2);
    expect(err.text()).toContain('--out');
  });

  it('reports an unwritable path with exit code 1', async () => {
    const err = capture();
    expect(await runDatagenCommand(['--n', '1', '--out', join(dir(), 'no', 'such', 'dir.jsonl')], { stdout: capture().sink, stderr: err.sink })).toBe(1);
    expect(err.text()).toContain('E_FILE_IO');
  });
});
