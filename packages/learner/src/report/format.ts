// Text helpers of the training report: HTML escaping and the number formats of
// tables, tooltips and axis ticks. Non-finite numbers print as an en dash so a
// gap in the metrics reads as a gap, never as "NaN".

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/** A value for a table or tooltip: 4 significant digits, exponent form for very small or large magnitudes. */
export function formatNumber(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e6 || a < 1e-3) return v.toExponential(digits - 2).replace(/\.?0+e/, 'e').replace('e+', 'e');
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(digits)));
}

/** An axis tick label whose decimals follow the tick spacing `step` (0.1 → "0.3"; 5e-7 → "1.5e-6", "2e-6"). */
export function formatTick(v: number, step: number): string {
  if (v === 0) return '0';
  const mag = Math.floor(Math.log10(step));
  if (mag <= -4 || Math.abs(v) >= 1e6) {
    const d = Math.max(0, Math.floor(Math.log10(Math.abs(v))) - mag);
    return v.toExponential(Math.min(d, 3)).replace(/\.?0+e/, 'e').replace('e+', 'e');
  }
  return v.toFixed(Math.max(0, -mag));
}

/** Seconds as "1h 02m", "3m 05s" or "42.0s". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}h ${pad(m)}m` : `${m}m ${pad(s % 60)}s`;
}
