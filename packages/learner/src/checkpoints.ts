// The run directory's checkpoints: checkpoints/step-<NNNNNN>/ as the engine writes
// them (atomic: written aside, then renamed), with the learner's own state in the
// checkpoint's config: the step, the policy version, and the group ids already
// trained on (so a group redelivered after a restart is still trained once).
// The newest `keep` checkpoints are kept.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunConfig } from '@datarus/config';
import type { Engine } from '@datarus/engine';

export interface LearnerState {
  step: number;
  policyVersion: number;
  processedIds: string[];
}

const NAME = /^step-(\d{6,})$/;

export const checkpointDir = (runDir: string, step: number) => join(runDir, 'checkpoints', `step-${String(step).padStart(6, '0')}`);

/** Steps of the complete checkpoints in the run directory, ascending. */
export function listCheckpoints(runDir: string): number[] {
  const root = join(runDir, 'checkpoints');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .map((n) => NAME.exec(n))
    .filter((m): m is RegExpExecArray => m !== null && existsSync(join(root, m[0], 'trainer_state.json')))
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

export async function saveCheckpoint(engine: Engine, config: RunConfig, state: LearnerState): Promise<string> {
  const dir = checkpointDir(config.runDir, state.step);
  await engine.saveCheckpoint(dir, { step: state.step, config: { run: config, learner: state } });
  const steps = listCheckpoints(config.runDir);
  for (const old of steps.slice(0, Math.max(0, steps.length - config.learner.keepCheckpoints))) {
    rmSync(checkpointDir(config.runDir, old), { recursive: true, force: true });
  }
  return dir;
}

/** Restores the newest checkpoint into `engine`; null when the run has none. */
export async function restoreLatest(engine: Engine, runDir: string): Promise<LearnerState | null> {
  const steps = listCheckpoints(runDir);
  if (steps.length === 0) return null;
  const { config } = await engine.loadCheckpoint(checkpointDir(runDir, steps[steps.length - 1]));
  const learner = (config as { learner?: LearnerState }).learner;
  if (!learner) return { step: steps[steps.length - 1], policyVersion: steps[steps.length - 1], processedIds: [] };
  return learner;
}
