// `datarus reward score --task T --completion FILE [--json]`: scores one
// trajectory with the built-in workers, in process, and prints every component:
// each structural check, each HRM part, the verifier's verdict, the curriculum
// weights at --step and the blended reward. T is a JSON file with one Task or a
// JSONL file of tasks (--task-id picks one; default the first). Returns the exit
// code (0 ok, 2 bad flags, 1 unreadable or malformed input); packages/cli wires it.
import { parseArgs } from 'node:util';
import { DatarusError, ErrorCode, type Mode, type ScoreRequest, type Task } from '@datarus/contracts';
import { readFlagFile, readTasksFile } from '@datarus/datagen';
import { verifyAnswer } from './rules/answer-verifier.js';
import { problemText } from './rules/claim-grounding.js';
import { hrmReward } from './rules/hrm.js';
import { structuralReward } from './rules/structural-reward.js';
import { extractAnswer } from './rules/trajectory-view.js';
import { RewardService } from './service/reward-service.js';
import { modeOf } from './workers/builtin-workers.js';

export interface CommandIo {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

export const rewardScoreUsage =
  'usage: datarus reward score --task TASK.json|TASKS.jsonl [--task-id ID] --completion FILE [--mode reflection|agentic] ' +
  '[--step N] [--total-steps T] [--completion-tokens N] [--reference-tokens N] [--json]';

function int(flag: string, v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const x = Number(v);
  if (!Number.isInteger(x) || x < 0) throw new DatarusError(ErrorCode.InvalidArgument, `--${flag}: expected a non-negative integer, got ${JSON.stringify(v)}`);
  return x;
}

function pickTask(tasks: Task[], id: string | undefined): Task {
  const task = id === undefined ? tasks[0] : tasks.find((t) => t.id === id);
  if (!task) throw new DatarusError(ErrorCode.BadTask, id === undefined ? '--task: the file holds no task' : `--task-id: no task ${id}`);
  return task;
}

export async function runRewardScoreCommand(argv: readonly string[], io: CommandIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const args = argv[0] === 'score' ? argv.slice(1) : argv;
  let values: Record<string, string | boolean | undefined>;
  let step: number, totalSteps: number, completionTokens: number, referenceTokens: number;
  let mode: Mode | undefined;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        task: { type: 'string' },
        'task-id': { type: 'string' },
        completion: { type: 'string' },
        mode: { type: 'string' },
        step: { type: 'string' },
        'total-steps': { type: 'string' },
        'completion-tokens': { type: 'string' },
        'reference-tokens': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
    }));
    if (values.help) {
      io.stdout.write(`${rewardScoreUsage}\n`);
      return 0;
    }
    if (!values.task) throw new DatarusError(ErrorCode.InvalidArgument, '--task: required');
    if (!values.completion) throw new DatarusError(ErrorCode.InvalidArgument, '--completion: required');
    if (values.mode !== undefined && values.mode !== 'reflection' && values.mode !== 'agentic') {
      throw new DatarusError(ErrorCode.InvalidArgument, `--mode: expected reflection or agentic, got ${JSON.stringify(values.mode)}`);
    }
    mode = values.mode === 'agentic' ? 'MODE_AGENTIC' : values.mode === 'reflection' ? 'MODE_REFLECTION' : undefined;
    step = int('step', values.step as string | undefined, 0);
    totalSteps = int('total-steps', values['total-steps'] as string | undefined, 1000);
    completionTokens = int('completion-tokens', values['completion-tokens'] as string | undefined, 0);
    referenceTokens = int('reference-tokens', values['reference-tokens'] as string | undefined, 0);
  } catch (e) {
    io.stderr.write(`reward score: ${(e as Error).message}\n${rewardScoreUsage}\n`);
    return 2;
  }
  try {
    const task = pickTask(await readTasksFile(values.task as string, 'task'), values['task-id'] as string | undefined);
    const trajectory = await readFlagFile(values.completion as string, 'completion');
    const request: ScoreRequest = {
      task,
      trajectory,
      mode: mode ?? 'MODE_UNSPECIFIED',
      completionTokens,
      referenceTokens,
      step,
      totalSteps,
      observationSpans: [],
      requestId: 'cli',
    };
    const resolvedMode = modeOf(request);
    const service = new RewardService({ curriculum: { totalSteps } });
    const blended = await service.score({ ...request, mode: resolvedMode });
    const structural = structuralReward(trajectory, resolvedMode);
    const refTokens = referenceTokens || task.references.find((r) => r.mode === resolvedMode)?.tokenEstimate || 0;
    const hrm = hrmReward({ text: trajectory, mode: resolvedMode, answer: task.answer, completionTokens, referenceTokens: refTokens, problem: problemText(task) });
    const answer = extractAnswer(trajectory);
    const verdict = verifyAnswer(answer, task.answer);
    const report = {
      task: task.id,
      mode: resolvedMode,
      step,
      totalSteps,
      reward: blended.hasReward ? blended.reward : null,
      weights: { wStruct: blended.wStruct, wSem: blended.wSem },
      components: Object.fromEntries(blended.components.map((c) => [c.name, c.value])),
      hrmStepScores: hrm.stepScores,
      verifier: { answer, correct: verdict.correct, reason: verdict.reason },
      missing: blended.missing,
      notes: { structural: structural.notes, hrm: hrm.notes },
    };
    if (values.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      const lines = [
        `task ${report.task} (${resolvedMode === 'MODE_AGENTIC' ? 'agentic' : 'reflection'}), step ${step}/${totalSteps}`,
        `reward ${report.reward === null ? 'none' : report.reward.toFixed(4)}  (w_struct ${blended.wStruct.toFixed(4)}, w_sem ${blended.wSem.toFixed(4)})`,
        ...blended.components.filter((c) => c.name !== 'w_struct' && c.name !== 'w_sem').map((c) => `  ${c.name.padEnd(36)} ${c.value.toFixed(4)}`),
        `  hrm step scores: [${hrm.stepScores.map((s) => s.toFixed(2)).join(', ')}]`,
        `verifier: ${verdict.correct ? 'correct' : 'wrong'} (${verdict.reason})`,
        ...[...structural.notes, ...hrm.notes].map((n) => `note: ${n}`),
      ];
      io.stdout.write(`${lines.join('\n')}\n`);
    }
    return 0;
  } catch (e) {
    const code = (e as { code?: string }).code ?? ErrorCode.Internal;
    io.stderr.write(`reward score: ${code}: ${(e as Error).message}\n`);
    return 1;
  }
}
