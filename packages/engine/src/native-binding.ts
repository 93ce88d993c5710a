// Locates and loads the native addon. A binary that has not been loaded on this
// machine before is first loaded in a child process, so a bad build (missing
// libtorch, ABI mismatch) surfaces as an E_NATIVE_LOAD error with the child's
// message instead of crashing the caller. Success is remembered beside the binary.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DatarusError, ErrorCode } from '@datarus/contracts';
import type { NativeAddon } from './native-types.js';

const require = createRequire(import.meta.url);
let cached: NativeAddon | undefined;

/** Path of the built addon: DATARUS_NATIVE_BINARY, else native/build/Release. */
export function nativeBinaryPath(): string {
  const fromEnv = process.env.DATARUS_NATIVE_BINARY;
  if (fromEnv) return fromEnv;
  const pkg = require.resolve('@datarus/native/package.json');
  return join(dirname(pkg), 'build', 'Release', 'datarus_native.node');
}

function fingerprint(path: string): string {
  const s = statSync(path);
  return `${s.size}:${s.mtimeMs}`;
}

function verifyInChild(path: string): void {
  const marker = `${path}.verified`;
  if (existsSync(marker) && readFileSync(marker, 'utf8') === fingerprint(path)) return;
  const child = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path)}).buildInfo()`], {
    encoding: 'utf8',
    env: { ...process.env, ...openMpDefaults() },
    timeout: 120_000,
  });
  if (child.status !== 0) {
    const why = (child.stderr || child.stdout || `signal ${child.signal}`).trim().split('\n').slice(-5).join('\n');
    throw new DatarusError(ErrorCode.NativeLoad, `the native addon at ${path} failed to load in a child process:\n${why}`);
  }
  try {
    writeFileSync(marker, fingerprint(path));
  } catch {
    // A read-only install still works; it just re-verifies next time.
  }
}

/**
 * libgomp reads its wait policy when it loads. Idle threads that spin for long
 * starve OpenBLAS's threads next to them on small machines, while threads that
 * sleep at once make each of a decode step's short parallel loops pay a wake-up;
 * a short spin (GOMP_SPINCOUNT) serves both. Either variable set by the user wins.
 */
export function openMpDefaults(): Record<string, string> {
  if (process.env.OMP_WAIT_POLICY || process.env.GOMP_SPINCOUNT) return {};
  return { GOMP_SPINCOUNT: '10000' };
}

/** Loads the addon once per process. */
export function loadNative(): NativeAddon {
  if (cached) return cached;
  const path = nativeBinaryPath();
  if (!existsSync(path)) {
    throw new DatarusError(
      ErrorCode.NativeLoad,
      `the native addon is not built (${path} is missing); run \`bash scripts/setup.sh\` or \`npx nx run native:build\``,
    );
  }
  verifyInChild(path);
  Object.assign(process.env, openMpDefaults());
  cached = require(path) as NativeAddon;
  return cached;
}
