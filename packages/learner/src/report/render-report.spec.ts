import { describe, expect, it } from 'vitest';
import type { StepMetrics } from '../step-metrics.js';
import { renderReport } from './render-report.js';

const CHARTS = 12;

/** A plausible row of step `s`: reward rising, length falling, a cosine curriculum. */
function row(s: number, over: Partial<StepMetrics> = {}): StepMetrics {
  return {
    step: s,
    time: Date.UTC(2025, 0, 1) + s * 30_000,
    elapsed: s * 30,
    reward: 0.2 + 0.01 * s,
    rewardStd: 0.1,
    rewardStderr: 0.02,
    components: { structural: 0.5 + 0.005 * s, hrm: 0.1 + 0.01 * s },
    accuracy: Math.min(1, 0.1 + 0.005 * s),
    wStruct: 0.7 - 0.001 * s,
    wSem: 0.3 + 0.001 * s,
    advantageMean: 0,
    advantageStd: 0.9,
    fracRewardZeroStd: 0.1,
    missingRewards: s % 7 === 0 ? 1 : 0,
    completionLengthMean: 80 - 0.05 * s,
    completionLengthMin: 40,
    completionLengthMax: 96,
    loss: 0.01,
    kl: 0.001 * s,
    entropy: 1.2,
    clipRatioLow: 0.01,
    clipRatioHigh: 0.02,
    gradNorm: 0.5,
    lr: 1e-6,
    skipped: false,
    tokensPerSecond: 900,
    mfu: 0.3,
    groupIds: [`r.0.${s}.0`],
    policyVersionMin: s - 1,
    policyVersionMax: s - 1,
    staleGroups: 0,
    duplicateGroups: 0,
    seconds: { step: 30, generation: 20, reward: 3, reference: 2, training: 5, waiting: 1, weights: 0.5 },
    memory: { learnerPeakGiB: 4 + (s % 5) / 10, learnerGiB: 3.5, rolloutPeakGiB: 1.25 },
    ...over,
  };
}

const count = (html: string, needle: string) => html.split(needle).length - 1;
const svgs = (html: string) => html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];

/** What a self-contained page may never hold: scripts, fetched resources, or NaN coordinates. */
function expectSelfContained(html: string) {
  expect(html.startsWith('<!doctype html>')).toBe(true);
  expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|\shref=|url\(|@import/i);
  expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:\/\//);
  expect(html).not.toMatch(/NaN|Infinity|undefined/);
}

describe('renderReport', () => {
  const rows = Array.from({ length: 40 }, (_, i) => row(i + 1));

  it('draws one inline SVG per chart, with axes, legends and a summary', () => {
    const html = renderReport(rows, { title: 'run 7', config: { steps: 40 }, summary: { 'Eval accuracy': 0.625 } });
    expectSelfContained(html);
    expect(svgs(html)).toHaveLength(CHARTS);
    expect(count(html, '<figure')).toBe(CHARTS);
    for (const title of ['Reward', 'Accuracy', 'Completion length', 'KL to the reference', 'Learning rate', 'Gradient norm', 'Clip ratios', 'Resident memory (GiB)', 'Time per step']) {
      expect(html).toContain(`<figcaption>${title}`);
    }
    for (const svg of svgs(html)) {
      expect(svg).toContain('class="axis"');
      expect(svg).toContain('>step</text>');
    }
    // Reward components as their own lines and legend entries.
    expect(html).toContain('</span>structural</li>');
    expect(html).toContain('</span>hrm</li>');
    expect(html).toContain('<th>Eval accuracy</th><td>0.625</td>');
    expect(html).toMatch(/<th>Reward, verdict<\/th><td>reward first quarter .*improved/);
    expect(html).toContain('<th>Steps</th><td>40 (steps 1–40)</td>');
    // The highest learner peak of the rows (4 + 4/10) and the rollout worker's.
    expect(html).toContain('<th>Peak resident memory, learner / rollout worker (GiB)</th><td>4.40 / 1.25</td>');
    expect(html).not.toContain('Samples of step');
  });

  it('shows the samples it is given, self-contained, between the curves and the config', () => {
    const sample = { step: 40, groupId: 'g', taskId: 't', kind: 'k', sample: 0, policyVersion: 39, reward: 0.5, advantage: 0.1, components: {}, missing: {}, policyTokens: 3, finishReason: 'stop', text: '<answer>4</answer>' };
    const html = renderReport(rows, { title: 'run 7', config: {}, samples: [sample] });
    expectSelfContained(html);
    const at = html.indexOf('Samples of step 40');
    expect(at).toBeGreaterThan(html.indexOf('<h2>Optimisation</h2>'));
    expect(at).toBeLessThan(html.indexOf('<h2>Configuration</h2>'));
    expect(html).toContain('&lt;answer&gt;4&lt;/answer&gt;');
  });

  it('escapes the title, summary and config', () => {
    const html = renderReport(rows.slice(0, 3), {
      title: 'a <i>run</i>',
      config: { model: '</script><b>', nested: { list: ['x&y', '"q"'] } },
      summary: { '<k>': '<v>' },
    });
    expectSelfContained(html);
    expect(html).not.toContain('</script><b>');
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('<i>');
    expect(html).toContain('&quot;model&quot;: &quot;&lt;/script&gt;&lt;b&gt;&quot;');
    expect(html).toContain('x&amp;y');
    expect(html).toContain('<title>a &lt;i&gt;run&lt;/i&gt;</title>');
    expect(html).toContain('<th>&lt;k&gt;</th><td>&lt;v&gt;</td>');
    expect(html).toMatch(/<details><summary>Resolved run config<\/summary>\n<pre>\{\n {2}&quot;model&quot;/);
  });

  it('renders empty frames for no rows', () => {
    const html = renderReport([], { title: 'empty', config: undefined });
    expectSelfContained(html);
    expect(svgs(html)).toHaveLength(CHARTS);
    expect(count(html, '>no data</text>')).toBe(CHARTS);
    expect(html).toContain('<th>Steps</th><td>0</td>');
  });

  it('draws a single step as dots', () => {
    const html = renderReport([row(5)], { title: 'one', config: {} });
    expectSelfContained(html);
    expect(svgs(html)).toHaveLength(CHARTS);
    expect(count(svgs(html)[0], '<circle')).toBe(3); // mean and two components
    expect(html).toContain('too few steps');
  });

  it('leaves gaps for NaN values and missing fields', () => {
    const gappy = rows.map((r) => (r.step === 20 ? row(20, { reward: NaN, rewardStd: NaN, kl: NaN, components: {} }) : r));
    delete (gappy[30] as Partial<StepMetrics>).seconds;
    delete (gappy[31] as Partial<StepMetrics>).memory; // rows written before memory was logged
    const html = renderReport(gappy, { title: 'gaps', config: {} });
    expectSelfContained(html);
    const reward = svgs(html)[0];
    const mean = reward.match(/<path d="([^"]+)"[^>]*stroke-width="2.5"/)![1];
    expect(count(mean, 'M')).toBe(2); // broken at step 20
    expect(count(reward, '<polygon')).toBe(2); // the ± std band too
    const kl = svgs(html)[3];
    expect(count(kl.match(/<path d="([^"]+)"/)![1], 'M')).toBe(2);
    // One bar fewer in the time chart (5 layers per bar).
    expect(count(svgs(html)[CHARTS - 1], '<rect')).toBe(5 * 39);
  });

  it('stays legible and compact for hundreds of steps', () => {
    const long = Array.from({ length: 900 }, (_, i) => row(i + 1, { reward: Math.sin(i / 30) }));
    const html = renderReport(long, { title: 'long', config: {} });
    expectSelfContained(html);
    expect(svgs(html)).toHaveLength(CHARTS);
    // Steps pooled into at most 150 bars; x ticks are round numbers.
    expect(count(svgs(html)[CHARTS - 1], '<rect')).toBeLessThanOrEqual(150 * 5);
    expect(svgs(html)[0]).toContain('>200</text>');
    expect(html.length).toBeLessThan(2_000_000);
  });
});
