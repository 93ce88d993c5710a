// Builds the native addon, its tests and benchmarks into native/build with cmake-js.
// A build tree restored from the Nx cache may have been configured in another
// checkout (CMake records absolute paths); such a tree is discarded first.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { build, configuredDirs, native } from './native-tree.mjs';

const dirs = configuredDirs();
if (dirs && (!dirs.build || resolve(dirs.build) !== build)) {
  console.error(`[native] discarding a build tree configured in ${dirs.build ?? 'an unknown place'}`);
  rmSync(build, { recursive: true, force: true });
}
const jobs = String(Math.max(1, availableParallelism()));
execFileSync('npx', ['cmake-js', 'compile', '-G', 'Ninja', '-O', 'build', '-p', jobs, '--log-level', 'warn'], {
  cwd: native,
  stdio: 'inherit',
});
