import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, messageFromJson } from './codec.js';

describe('generated wire types', () => {
  it('are up to date with proto/', () => {
    const script = fileURLToPath(new URL('../../scripts/gen-proto.mjs', import.meta.url));
    expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it('decode garbage as E_BAD_MESSAGE, never a crash', () => {
    expect(() => decodeMessage('datarus.v1.ScoreResponse', new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow(
      expect.objectContaining({ code: 'E_BAD_MESSAGE' }),
    );
    expect(() => messageFromJson('datarus.v1.ScoreResponse', '{"score": "high"')).toThrow(expect.objectContaining({ code: 'E_BAD_MESSAGE' }));
    expect(() => messageFromJson('datarus.v1.ScoreResponse', '{"score": "high"}')).toThrow(expect.objectContaining({ code: 'E_BAD_MESSAGE' }));
  });

  it('keep the oneof discriminator', () => {
    const r = decodeMessage('datarus.v1.ScoreResponse', encodeMessage('datarus.v1.ScoreResponse', { noScore: { reason: 'x', code: 'E_X' }, components: [], worker: 'w' }));
    expect(r.result).toBe('noScore');
    expect(r.score).toBeUndefined();
  });
});

describe('rollout and policy messages', () => {
  const group = {
    groupId: 't-1:3:0',
    taskId: 't-1',
    policyVersion: 3,
    mode: 'MODE_REFLECTION' as const,
    promptTokenIds: [1, 2, 3],
    samples: [
      {
        completionTokenIds: [7, 8, 9],
        behaviourLogprobs: [-0.5, -1.25, 0],
        lossMask: [true, true, false],
        finishReason: 'FINISH_REASON_STOP' as const,
        completionText: 'abc',
        observationSpans: [{ start: 2, end: 3 }],
      },
    ],
    timing: { startedUnixMs: '1700000000000', weightsMs: 1, prefillMs: 2, decodeMs: 3, toolMs: 0, totalMs: 6 },
    worker: 'w0',
    seed: '18446744073709551615',
  };

  it('round-trip a scored group, a missing reward staying missing', () => {
    const scored = {
      group,
      scores: [{ reward: 0, hasReward: false, step: 4, wStruct: 0.7, wSem: 0.3, components: [], missing: { hrm: { reason: 'slow', code: 'E_WORKER_TIMEOUT' } } }],
      weights: { wStruct: 0.7, wSem: 0.3 },
      step: 4,
      totalSteps: 100,
    };
    const back = decodeMessage('datarus.v1.ScoredGroup', encodeMessage('datarus.v1.ScoredGroup', scored));
    expect(back.group?.samples[0].behaviourLogprobs).toEqual([-0.5, -1.25, 0]);
    expect(back.group?.seed).toBe('18446744073709551615');
    expect(back.group?.timing?.startedUnixMs).toBe('1700000000000');
    expect(back.scores[0].hasReward).toBe(false);
    expect(back.scores[0].missing.hrm.code).toBe('E_WORKER_TIMEOUT');
    expect(back.group?.task).toBeUndefined();
  });

  it('carry weight bytes in a chunk', () => {
    const data = new Uint8Array([0, 1, 2, 255]);
    const c = decodeMessage(
      'datarus.v1.WeightsChunk',
      encodeMessage('datarus.v1.WeightsChunk', { version: 2, tensorName: 'w', offset: '4', data, final: true, dtype: 'f32', shape: [1], tensorBytes: '8' }),
    );
    expect(Array.from(c.data)).toEqual([0, 1, 2, 255]);
    expect(c.offset).toBe('4');
  });
});
