// Task i of seed s is a pure function of (s, i, config): the generator draws a
// domain, a kind, a difficulty, builds the problem and both reference
// trajectories. Tasks without data files are reflection-only.
import { Mode, type Task } from '@datarus/contracts';
import { Rng } from './rng.js';
import { DatagenConfig } from './datagen-config.js';
import { taskGenerators, taskKindsByDomain, type TaskKind } from './tasks/registry.js';
import { agenticReference, reflectionReference } from './trajectories.js';
import type { Difficulty } from './task-spec.js';

export function generateTask(seed: number, index: number, config: Partial<DatagenConfig> = {}, kind?: TaskKind): Task {
  const cfg = DatagenConfig.parse({ ...config, seed });
  const rng = new Rng(seed, index);
  const chosen: TaskKind = kind ?? rng.pick(rng.pick(taskKindsByDomain));
  const difficulty: Difficulty = rng.pick(cfg.difficulties);
  const spec = taskGenerators[chosen](rng, difficulty);
  const references = [reflectionReference(spec)];
  const modes: Mode[] = [Mode.MODE_REFLECTION];
  if (spec.agentic) {
    modes.push(Mode.MODE_AGENTIC);
    references.push(agenticReference(spec, rng, rng.chance(cfg.errorRate)));
  }
  return {
    id: `${seed}-${index}-${spec.kind}`,
    domain: spec.domain,
    difficulty,
    modes,
    prompt: spec.prompt,
    files: spec.files,
    answer: { number: spec.answer.number, value: 'number', unit: spec.answer.unit, relTolerance: 0 },
    references,
    kind: spec.kind,
  };
}

/** Tasks [0, n) of `seed`, lazily. */
export function* generateTasks(config: Partial<DatagenConfig>): Generator<Task> {
  const cfg = DatagenConfig.parse(config);
  for (let i = 0; i < cfg.n; i++) yield generateTask(cfg.seed, i, cfg);
}
