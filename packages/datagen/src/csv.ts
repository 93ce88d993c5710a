// Tiny CSV writer/reader for generated data files: comma-separated, first line a
// header, an empty cell is a missing value (pandas reads it as NaN).

export type Cell = number | string | null;

export function toCsv(header: readonly string[], rows: readonly Cell[][]): string {
  const cell = (c: Cell) => (c === null ? '' : String(c));
  return [header.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}

/** Numeric column of a CSV made by toCsv; missing cells are null. */
export function csvColumn(csv: string, name: string): (number | null)[] {
  const lines = csv.trimEnd().split('\n');
  const col = lines[0].split(',').indexOf(name);
  if (col < 0) throw new Error(`no column ${name}`);
  return lines.slice(1).map((l) => {
    const c = l.split(',')[col];
    return c === '' || c === undefined ? null : Number(c);
  });
}
