// Finds and checks the arithmetic claims of reflection reasoning: `expr = value`
// (also `≈`) where expr is numbers with + - * / × ÷ ^ ** ( ) and %, and
// `p% of x = value`. A claim holds when expr is within the precision the value
// is written to (half a unit in its last decimal place, or 1e-6 relative) and
// when written as a whole number, within 5% (so "34 / 40 = 1" is a slip, not
// rounding). Scanning is linear: each
// '=' looks left over at most 200 characters of expression characters.

export interface Claim {
  expression: string;
  claimed: number;
  actual: number;
  holds: boolean;
}

const MAX_EXPR = 200;
const EXPR_CHARS = new Set('0123456789.+-*/×÷^() %'.split(''));

/** Evaluates an arithmetic expression; null when it is not one. */
export function evaluateArithmetic(src: string): number | null {
  let i = 0;
  const s = src;
  const ws = () => {
    while (s[i] === ' ') i++;
  };
  const number = (): number | null => {
    ws();
    const start = i;
    while (i < s.length && ((s[i] >= '0' && s[i] <= '9') || s[i] === '.')) i++;
    if (i === start) return null;
    const text = s.slice(start, i);
    if (text.split('.').length > 2 || text === '.') return null;
    return Number(text);
  };
  // expr := term (('+'|'-') term)* ; term := unary (('*'|'/'|'×'|'÷') unary)*
  // unary := '-' unary | power ; power := postfix (('^'|'**') unary)? ; postfix := primary '%'?
  let depth = 0;
  const expr = (): number | null => {
    let v = term();
    if (v === null) return null;
    for (;;) {
      ws();
      const op = s[i];
      if (op !== '+' && op !== '-') return v;
      i++;
      const r = term();
      if (r === null) return null;
      v = op === '+' ? v + r : v - r;
    }
  };
  const term = (): number | null => {
    let v = unary();
    if (v === null) return null;
    for (;;) {
      ws();
      const op = s[i];
      if (op === '*' && s[i + 1] === '*') return v;
      if (op !== '*' && op !== '/' && op !== '×' && op !== '÷') return v;
      i++;
      const r = unary();
      if (r === null) return null;
      v = op === '*' || op === '×' ? v * r : v / r;
    }
  };
  const unary = (): number | null => {
    ws();
    if (s[i] === '-') {
      i++;
      const v = unary();
      return v === null ? null : -v;
    }
    return power();
  };
  const power = (): number | null => {
    const base = postfix();
    if (base === null) return null;
    ws();
    if (s[i] === '^' || (s[i] === '*' && s[i + 1] === '*')) {
      i += s[i] === '^' ? 1 : 2;
      const e = unary();
      return e === null ? null : base ** e;
    }
    return base;
  };
  const postfix = (): number | null => {
    const v = primary();
    if (v === null) return null;
    ws();
    if (s[i] === '%') {
      i++;
      return v / 100;
    }
    return v;
  };
  const primary = (): number | null => {
    ws();
    if (s[i] === '(') {
      if (++depth > 64) return null;
      i++;
      const v = expr();
      ws();
      if (v === null || s[i] !== ')') return null;
      i++;
      depth--;
      return v;
    }
    return number();
  };
  const v = expr();
  ws();
  return v !== null && i === s.length && Number.isFinite(v) ? v : null;
}

const hasOperator = (e: string) => /[+*/×÷^%]|\d\s*-\s*[\d(]/.test(e);

/** Decimals written in a number literal: "0.250" → 3. */
const decimalsOf = (lit: string) => (lit.includes('.') ? lit.length - lit.indexOf('.') - 1 : 0);

export function claimHolds(actual: number, claimed: number, decimals: number): boolean {
  const diff = Math.abs(actual - claimed);
  const precision = Math.max(0.5 * 10 ** -decimals, 1e-6 * Math.abs(actual)) * (1 + 1e-9);
  return diff <= precision && (decimals > 0 || diff <= 0.05 * Math.abs(actual) || diff < 1e-12);
}

function trimUnbalanced(e: string): string {
  let t = e.trim();
  for (let guard = 0; guard < 64; guard++) {
    let open = 0;
    let close = 0;
    for (const c of t) {
      if (c === '(') open++;
      else if (c === ')') close++;
    }
    if (open > close && t.startsWith('(')) t = t.slice(1).trim();
    else if (close > open && t.endsWith(')')) t = t.slice(0, -1).trim();
    else break;
  }
  return t;
}

/** Every arithmetic claim in `line`. */
export function findClaims(line: string, limit = 1000): Claim[] {
  const claims: Claim[] = [];
  let prevEnd = 0;
  for (let at = 0; at < line.length && claims.length < limit; at++) {
    const c = line[at];
    if (c === '≈') tryClaim(at, 1);
    else if (c === '=') {
      const before = line[at - 1];
      if (before !== '=' && before !== '<' && before !== '>' && before !== '!' && line[at + 1] !== '=') tryClaim(at, 1);
    }
  }
  return claims;

  function tryClaim(at: number, width: number) {
    // right-hand side: a number literal, optionally followed by %
    let j = at + width;
    while (line[j] === ' ') j++;
    const rs = j;
    if (line[j] === '-') j++;
    while (j < line.length && ((line[j] >= '0' && line[j] <= '9') || line[j] === '.')) j++;
    let lit = line.slice(rs, j).replace(/\.$/, '');
    if (!/\d/.test(lit) || j - rs > 40) return;
    const isPct = line[j] === '%';
    let claimed = Number(lit);
    if (!Number.isFinite(claimed)) return;
    let decimals = decimalsOf(lit);
    if (isPct) {
      claimed /= 100;
      decimals += 2;
    }
    // left-hand side: expression characters back from the sign
    let k = at;
    const stop = Math.max(prevEnd, at - MAX_EXPR);
    while (k > stop && EXPR_CHARS.has(line[k - 1])) k--;
    let expression = trimUnbalanced(line.slice(k, at));
    prevEnd = at + width;
    // "p% of x"
    const head = line.slice(Math.max(0, k - 30), k);
    const of = head.match(/(\d+(?:\.\d+)?)\s?%\s+of\s*$/);
    if (of) expression = `${of[1]}% * (${expression})`;
    if (!expression || !hasOperator(expression)) return;
    const actual = evaluateArithmetic(expression);
    if (actual === null) return;
    claims.push({ expression, claimed, actual, holds: claimHolds(actual, claimed, decimals) });
  }
}
