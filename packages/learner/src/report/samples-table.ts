// The report's "Samples" section: what the policy wrote at the last logged step,
// next to what it was paid for. Pure: rows in, HTML out.
import type { CompletionRow } from '../completion-log.js';
import { escapeHtml, formatNumber } from './format.js';

/** Samples shown, and characters of each text (the rest is cut with a marker). */
export const MAX_SAMPLES = 16;
export const MAX_TEXT_CHARS = 2000;

const cut = (text: string) => (text.length > MAX_TEXT_CHARS ? `${text.slice(0, MAX_TEXT_CHARS)}\n[… ${text.length - MAX_TEXT_CHARS} more characters]` : text);

/** The section's HTML: the step's samples, highest reward first; '' without rows. */
export function samplesSection(rows: readonly CompletionRow[]): string {
  if (rows.length === 0) return '';
  const shown = [...rows].sort((a, b) => (b.reward ?? -Infinity) - (a.reward ?? -Infinity)).slice(0, MAX_SAMPLES);
  const body = shown
    .map((r) => {
      const parts = Object.entries(r.components)
        .filter(([name]) => name !== 'w_struct' && name !== 'w_sem')
        .map(([name, v]) => `${name} ${formatNumber(v, 3)}`)
        .join(', ');
      const missing = Object.entries(r.missing ?? {}).map(([w, why]) => `${w}: ${why}`).join('; ');
      return `<tr><td>${escapeHtml(r.taskId)}<br><span class="note">${escapeHtml(r.kind)}</span></td>` +
        `<td>${r.reward === null ? 'missing' : formatNumber(r.reward, 3)}</td><td>${formatNumber(r.advantage, 3)}</td>` +
        `<td>${r.policyTokens} (${escapeHtml(r.finishReason)})</td>` +
        `<td><pre>${escapeHtml(cut(r.text))}</pre><span class="note">${escapeHtml(parts)}${missing ? ` · no score from ${escapeHtml(missing)}` : ''}</span></td></tr>`;
    })
    .join('\n');
  const more = rows.length > shown.length ? ` (the ${shown.length} of ${rows.length} with the highest reward)` : '';
  return `<h2>Samples of step ${rows[0].step}</h2>
<p class="note">What the policy wrote${more}, from completions.jsonl: the blended reward, the advantage it was trained with, and each reward component.</p>
<table class="samples">
<tr><th>task</th><th>reward</th><th>advantage</th><th>tokens</th><th>completion</th></tr>
${body}
</table>`;
}
