// The agentic episode loop (TRAJECTORY.md, "Agentic mode") for the G samples of
// one prompt, on the engine's resumable group: decode until a sample writes
// </action_input> or </stop_analysis>; run each step's code in that sample's own
// sandboxed Python kernel; append "<observation>…</observation></step>" as tokens
// the policy did not write (mask 0, log-prob 0); continue. Samples advance in
// rounds: one batched decode of every live sample, then their tool calls in
// parallel. A sample that runs into a limit is kept with its finish reason, never
// dropped.
//
// The host never forks while the engine computes: sandboxes start before the
// group opens, and a sandbox restarts a dead kernel only inside run(), which is
// called between decode calls (a fork() while OpenBLAS threads are busy can
// deadlock in OpenBLAS's fork handler). For the same reason a process should not
// run other engine work concurrently with an agentic group's tool calls.
import { performance } from 'node:perf_hooks';
import { DatarusError, ErrorCode } from '@datarus/contracts';
import { STOP_STRINGS } from '@datarus/datagen';
import type { Engine, Group, GroupSample } from '@datarus/engine';
import { PythonSandbox, type DataFile } from '@datarus/sandbox';
import { parseAction } from './action-parser.js';
import { AgenticOptions, type ResolvedAgenticOptions } from './agentic-options.js';
import { observationBlock, observationBody } from './observation.js';
import { TOOLS, unknownToolMessage, type ToolOutcome } from './tools.js';

export type AgenticFinishReason = 'stop' | 'length' | 'tool_limit' | 'error';

/** Character range [start, end) of the completion text. */
export interface TextSpan {
  start: number;
  end: number;
}

export interface AgenticSample {
  /** [T] completion token ids after the prompt: written by the policy and appended. */
  tokens: number[];
  /** [T] behaviour log-probs of the tokens (0 where appended). */
  logprobs: number[];
  /** [T] 1 = written by the policy, 0 = appended by the harness (observations). */
  policyMask: number[];
  /** The decoded completion, observations included. */
  text: string;
  /** Ranges of `text` the harness appended, "\n<observation>…</step>\n" each. */
  observationSpans: TextSpan[];
  /**
   * stop: </stop_analysis> or EOS; length: maxTotalTokens or the context;
   * tool_limit: maxSteps or maxConsecutiveErrors; error: the sandbox could not start.
   */
  finishReason: AgenticFinishReason;
  /** Tool calls answered with an observation (one observation span each). */
  steps: number;
  /** Wall time spent in tools, s. */
  toolSeconds: number;
}

const STOP_ACTION = '</action_input>';
const STOP_FINAL = '</stop_analysis>';

interface SampleState {
  index: number;
  done?: AgenticFinishReason;
  /** First token after the last appended observation: where the current step's text begins. */
  segmentStart: number;
  /** Token ranges [start, end) the harness appended. */
  appended: [number, number][];
  steps: number;
  consecutiveErrors: number;
  toolSeconds: number;
  /** The sample's own sandbox; undefined when it could not start (then `startError`). */
  sandbox?: PythonSandbox;
  startError?: unknown;
}

/** Result of one sample's tool call in a round: the tokens to append, or how the sample ends. */
type StepResult = { append: number[]; ok: boolean } | { end: AgenticFinishReason };

function parseOptions(options: AgenticOptions): ResolvedAgenticOptions {
  const parsed = AgenticOptions.safeParse(options);
  if (parsed.success) return parsed.data;
  const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
  throw new DatarusError(ErrorCode.InvalidArgument, `bad agentic options: ${detail}`);
}

/** The first stop string in `text`, if any. */
function firstStop(text: string): typeof STOP_ACTION | typeof STOP_FINAL | undefined {
  const a = text.indexOf(STOP_ACTION);
  const f = text.indexOf(STOP_FINAL);
  if (a < 0 && f < 0) return undefined;
  if (a < 0) return STOP_FINAL;
  if (f < 0) return STOP_ACTION;
  return a < f ? STOP_ACTION : STOP_FINAL;
}

/**
 * Runs the agentic episodes of `groupSize` samples of `promptIds` (a rendered
 * chat prompt) with the task's `files` in each sample's working directory.
 * Closes the group and every sandbox before it settles, also on error or abort
 * (then it rejects with E_ABORTED).
 */
export async function runAgenticGroup(
  engine: Engine,
  promptIds: number[],
  groupSize: number,
  options: AgenticOptions = {},
  files: DataFile[] = [],
): Promise<AgenticSample[]> {
  const o = parseOptions(options);
  const signal = o.signal;
  const checkAbort = () => {
    if (signal?.aborted) throw new DatarusError(ErrorCode.Aborted, 'the agentic group was cancelled');
  };
  checkAbort();
  if (!Number.isInteger(groupSize) || groupSize < 1) throw new DatarusError(ErrorCode.InvalidArgument, 'groupSize must be an integer >= 1');

  const sandboxOptions = {
    ...o.sandbox,
    files,
    cellTimeoutMs: o.cellTimeoutMs,
    memoryMb: o.memoryMb,
    maxOutputChars: o.maxObservationChars,
  };
  // Every sample gets its sandbox before the group opens (see above). One that
  // fails to start is reported at the sample's first tool call.
  const started = await Promise.allSettled(Array.from({ length: groupSize }, () => PythonSandbox.start(sandboxOptions)));
  const states: SampleState[] = started.map((r, index) => ({
    index,
    segmentStart: 0,
    appended: [],
    steps: 0,
    consecutiveErrors: 0,
    toolSeconds: 0,
    ...(r.status === 'fulfilled' ? { sandbox: r.value } : { startError: r.reason }),
  }));
  const closeSandboxes = () => Promise.all(states.map((s) => s.sandbox?.close()));
  const onAbort = () => void closeSandboxes();
  signal?.addEventListener('abort', onAbort, { once: true });

  const decode = (ids: number[]) => engine.tokenizer.decode(ids);
  let group: Group | undefined;
  try {
    checkAbort();
    group = await engine.openGroup(promptIds, groupSize, {
      maxNewTokens: Math.min(o.decodeChunkTokens, o.maxTotalTokens),
      stopStrings: STOP_STRINGS.MODE_AGENTIC,
      temperature: o.temperature,
      topP: o.topP,
      topK: o.topK,
      seed: o.seed,
      microBatch: o.microBatch,
      signal,
    });
    let live = states.map((s) => s.index);
    while (live.length > 0) {
      checkAbort();
      const samples = await group.decode(live);
      checkAbort();
      const calls: [SampleState, Promise<StepResult>][] = [];
      for (const i of live) {
        const st = states[i];
        const s = samples[i];
        if (s.tokens.length > o.maxTotalTokens) {
          st.done = 'length';
          continue;
        }
        const stepText = decode(s.tokens.slice(st.segmentStart));
        switch (s.finishReason) {
          case 'stop': {
            const stop = firstStop(stepText);
            if (stop !== STOP_ACTION) st.done = 'stop'; // </stop_analysis>, EOS or another stop id
            else if (st.steps >= o.maxSteps) st.done = 'tool_limit';
            else calls.push([st, runStep(st, s, stepText)]);
            break;
          }
          case 'length':
            if (s.tokens.length >= o.maxTotalTokens) st.done = 'length'; // else: the next chunk continues it
            break;
          case 'context':
            st.done = 'length';
            break;
          default:
            st.done = 'error';
        }
      }
      const results = await Promise.all(calls.map(([, p]) => p));
      checkAbort();
      // Appends one at a time: they all extend the same group.
      for (let k = 0; k < calls.length; k++) {
        const st = calls[k][0];
        const r = results[k];
        if ('end' in r) {
          st.done = r.end;
          continue;
        }
        const at = samples[st.index].tokens.length;
        await group.append(st.index, r.append);
        st.appended.push([at, at + r.append.length]);
        st.segmentStart = at + r.append.length;
        st.steps += 1;
        st.consecutiveErrors = r.ok ? 0 : st.consecutiveErrors + 1;
        if (st.consecutiveErrors >= o.maxConsecutiveErrors) st.done = 'tool_limit';
      }
      for (const st of states) if (st.done) void st.sandbox?.close();
      live = states.filter((s) => !s.done).map((s) => s.index);
    }
    const final = group.samples();
    return states.map((st) => toSample(final[st.index], st, o.maxTotalTokens, decode));
  } catch (e) {
    if (signal?.aborted) throw new DatarusError(ErrorCode.Aborted, 'the agentic group was cancelled', { cause: e });
    throw e;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    group?.close();
    await closeSandboxes();
  }

  /** Runs the tool call that ends `stepText` and returns the observation's tokens. */
  async function runStep(st: SampleState, s: GroupSample, stepText: string): Promise<StepResult> {
    const t0 = performance.now();
    let outcome: ToolOutcome;
    const action = parseAction(stepText);
    if (!action.ok) outcome = { output: action.message, ok: false };
    else if (!Object.hasOwn(TOOLS, action.tool)) outcome = { output: unknownToolMessage(action.tool), ok: false };
    else {
      try {
        outcome = await TOOLS[action.tool](action.input, {
          sandbox: async () => {
            if (st.sandbox) return st.sandbox;
            throw st.startError;
          },
        });
      } catch (e) {
        st.toolSeconds += (performance.now() - t0) / 1000;
        if (e instanceof DatarusError && e.code === ErrorCode.SandboxFailed && !signal?.aborted) return { end: 'error' };
        throw e;
      }
    }
    st.toolSeconds += (performance.now() - t0) / 1000;
    const block = observationBlock(observationBody(outcome.output), stepText);
    // Printed text is data: "<|im_end|>" in a cell's output must not become a control token.
    const ids = engine.tokenizer.encode(block, { allowSpecial: false });
    const total = s.tokens.length + ids.length;
    if (total >= o.maxTotalTokens || promptIds.length + total >= engine.info.maxPositions) return { end: 'length' };
    return { append: ids, ok: outcome.ok };
  }
}

function toSample(s: GroupSample, st: SampleState, maxTotalTokens: number, decode: (ids: number[]) => string): AgenticSample {
  const n = Math.min(s.tokens.length, maxTotalTokens);
  const tokens = s.tokens.slice(0, n);
  return {
    tokens,
    logprobs: s.logprobs.slice(0, n),
    policyMask: s.policyMask.slice(0, n),
    text: decode(tokens),
    observationSpans: st.appended.map(([a, b]) => ({ start: decode(tokens.slice(0, a)).length, end: decode(tokens.slice(0, b)).length })),
    finishReason: st.done ?? 'error',
    steps: st.steps,
    toolSeconds: st.toolSeconds,
  };
}
