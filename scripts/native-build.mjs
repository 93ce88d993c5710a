// Builds the native addon, its tests and benchmarks into native/build with cmake-js.
// A build tree restored from the Nx cache may have been configured in another
// checkout (CMake records absolute paths); such a tree is discarded first.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const native = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'native');
const build = join(native, 'build');
const cache = join(build, 'CMakeCache.txt');
if (existsSync(cache)) {
  const m = /^CMAKE_CACHEFILE_DIR:INTERNAL=(.*)$/m.exec(readFileSync(cache, 'utf8'));
  if (!m || resolve(m[1]) !== build) {
    console.error(`[native] discarding a build tree configured in ${m?.[1] ?? 'an unknown place'}`);
    rmSync(build, { recursive: true, force: true });
  }
}
const jobs = String(Math.max(1, (await import('node:os')).availableParallelism()));
execFileSync('npx', ['cmake-js', 'compile', '-G', 'Ninja', '-O', 'build', '-p', jobs, '--log-level', 'warn'], {
  cwd: native,
  stdio: 'inherit',
});
