// Shared Vitest settings: every package's tests import workspace packages from
// their TypeScript sources (no build needed), and run in forked processes so a
// native crash cannot take the runner down.
import { fileURLToPath } from 'node:url';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const alias: Record<string, string> = {};
for (const name of readdirSync(join(root, 'packages'))) {
  const entry = join(root, 'packages', name, 'src', 'index.ts');
  if (existsSync(entry)) alias[`@datarus/${name}`] = entry;
}

export default defineConfig({
  resolve: { alias },
  test: {
    pool: 'forks',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    include: ['src/**/*.spec.ts', '*.spec.ts', '**/*.spec.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/*.gpu.spec.ts'],
  },
});
