// Resolving the config of a run: the laptop defaults, then the config file, then
// the command-line flags, validated as a whole. An invalid config is refused
// before anything starts, with the path of every bad field.
import { readFileSync } from 'node:fs';
import { DatarusError, ErrorCode } from '@datarus/contracts';
import { LAPTOP_DEFAULTS } from './defaults.js';
import { deepMerge } from './merge.js';
import { parseOverrides } from './overrides.js';
import { RunConfig } from './run-config.js';

/** Validates a merged config object; throws E_INVALID_CONFIG listing each bad field's path. */
export function validateRunConfig(value: unknown): RunConfig {
  const r = RunConfig.safeParse(value);
  if (r.success) return finalize(r.data);
  const lines = r.error.issues.map((i) => {
    const path = i.path.length ? i.path.join('.') : '(root)';
    const keys = (i as { keys?: string[] }).keys;
    return keys?.length ? `  ${path}: unknown field(s) ${keys.join(', ')}` : `  ${path}: ${i.message}`;
  });
  throw new DatarusError(ErrorCode.InvalidConfig, `invalid run config:\n${lines.join('\n')}`);
}

/** Fields whose default depends on other fields. */
function finalize(c: RunConfig): RunConfig {
  const grpo = { ...c.grpo, totalSteps: c.grpo.totalSteps || c.steps };
  const curriculum = { ...c.reward.curriculum, totalSteps: c.reward.curriculum.totalSteps || c.steps };
  return { ...c, grpo, reward: { ...c.reward, curriculum } };
}

export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DatarusError(ErrorCode.FileNotFound, `cannot read config file ${path}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DatarusError(ErrorCode.InvalidConfig, `config file ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

/** Defaults ← `--config FILE` ← the other flags. */
export function loadRunConfig(argv: string[], options: { defaults?: unknown } = {}): RunConfig {
  const { configFile, overrides } = parseOverrides(RunConfig, argv);
  const file = configFile ? readConfigFile(configFile) : {};
  return validateRunConfig(deepMerge(options.defaults ?? LAPTOP_DEFAULTS, file, overrides));
}
