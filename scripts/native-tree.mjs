// Where the native build tree lives and where CMake configured it. Nx restores
// native/build from its cache by the build's inputs, so the tree may have been
// configured in another checkout: CMake records absolute paths in it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const native = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'native');
export const build = join(native, 'build');

/** The build and source directories CMake recorded, or undefined without a configured tree. */
export function configuredDirs() {
  const cache = join(build, 'CMakeCache.txt');
  if (!existsSync(cache)) return undefined;
  const text = readFileSync(cache, 'utf8');
  const entry = (key) => new RegExp(`^${key}:INTERNAL=(.*)$`, 'm').exec(text)?.[1];
  return { build: entry('CMAKE_CACHEFILE_DIR'), source: entry('CMAKE_HOME_DIRECTORY') };
}
