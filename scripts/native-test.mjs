// Runs the native test suite (CTest over GoogleTest, label `cpu`) in native/build.
// When Nx restored the tree from a build made in another checkout, CTest's own
// files still name that checkout's paths; they are pointed at this one first. The
// compiled binaries hold no such path, and the CMake cache is left as it is, so a
// later source change still rebuilds the tree from scratch (native-build.mjs).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build, configuredDirs, native } from './native-tree.mjs';

const dirs = configuredDirs();
if (!dirs?.build || !dirs.source) {
  console.error('[native] no configured build tree in native/build: run `npx nx run native:build` first');
  process.exit(1);
}
if (resolve(dirs.build) !== build) {
  // One pass, the longer (build) path first, so that no replaced text is replaced again.
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const moved = new RegExp(`${escape(dirs.build)}|${escape(dirs.source)}`, 'g');
  const ctestFiles = readdirSync(build).filter((f) => f === 'CTestTestfile.cmake' || /_(include|tests)\.cmake$/.test(f));
  for (const f of ctestFiles) {
    const path = join(build, f);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.replace(moved, (old) => (old === dirs.build ? build : native)));
  }
  console.error(`[native] test files of a tree built in ${dirs.build} now point at ${build}`);
}
execFileSync('ctest', ['--test-dir', build, '--output-on-failure', '-L', 'cpu', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { GOMP_SPINCOUNT: '10000', ...process.env },
});
