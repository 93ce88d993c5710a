// Temporary directories for tests, `datarus-<tag>-XXXXXX` under the OS temp dir.
// Each is removed with everything in it when the test or suite that made it ends,
// passed or failed; with DATARUS_KEEP_TEST_DIRS=1 those of failed tests are kept
// (and their paths printed) for a look.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, onTestFinished, type RunnerTask } from 'vitest';

export function makeTempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `datarus-${tag}-`));
}

/** Removes `dir`, unless `failed` and DATARUS_KEEP_TEST_DIRS=1. */
export function removeTempDir(dir: string, failed = false): void {
  if (failed && process.env.DATARUS_KEEP_TEST_DIRS === '1') {
    console.error(`[temp-dir] kept ${dir} (DATARUS_KEEP_TEST_DIRS=1)`);
    return;
  }
  rmSync(dir, { recursive: true, force: true });
}

/** A temp dir for the running test, removed when it has finished (after its afterEach hooks). Call inside a test. */
export function testTempDir(tag: string): string {
  const dir = makeTempDir(tag);
  onTestFinished(({ task }) => removeTempDir(dir, task.result?.state === 'fail'));
  return dir;
}

/**
 * A temp dir for the enclosing describe block (or file, at top level): made before
 * its first test and removed after its last; read its path with the returned
 * function. Not made at all when every test in the block is skipped.
 */
export function suiteTempDir(tag: string): () => string {
  let dir: string | undefined;
  beforeAll(() => {
    dir = makeTempDir(tag);
  });
  // (vitest reads the first parameter as fixtures, which must be a destructuring pattern)
  afterAll(({}, suite) => {
    if (dir) removeTempDir(dir, failed(suite));
  });
  return () => {
    if (!dir) throw new Error(`suiteTempDir('${tag}') is read before its suite started`);
    return dir;
  };
}

const failed = (t: RunnerTask): boolean => t.result?.state === 'fail' || (t.type !== 'test' && t.tasks.some(failed));
