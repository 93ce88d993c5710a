// Deep merge of plain config objects: later layers win field by field; arrays and
// scalars are replaced whole.
export type Plain = Record<string, unknown>;

export const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

export function deepMerge(...layers: unknown[]): Plain {
  const out: Plain = {};
  for (const layer of layers) {
    if (!isPlain(layer)) continue;
    for (const [k, v] of Object.entries(layer)) {
      out[k] = isPlain(v) && isPlain(out[k]) ? deepMerge(out[k], v) : isPlain(v) ? deepMerge(v) : v;
    }
  }
  return out;
}

/** Sets `value` at a dotted path, creating objects on the way. */
export function setPath(target: Plain, path: string[], value: unknown): void {
  let o = target;
  for (const key of path.slice(0, -1)) {
    if (!isPlain(o[key])) o[key] = {};
    o = o[key] as Plain;
  }
  o[path[path.length - 1]] = value;
}
