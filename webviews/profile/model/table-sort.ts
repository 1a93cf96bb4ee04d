// Sorting and filtering the tables' rows (pure): by any numeric or text column, either way; the filter keeps rows
// whose key, op type or provider contains every word of it (case-insensitive).

export interface SortSpec {
  column: string;
  descending: boolean;
}

export function sortRows<T extends object>(rows: readonly T[], sort: SortSpec): T[] {
  const get = (r: T) => (r as Record<string, unknown>)[sort.column];
  const sign = sort.descending ? -1 : 1;
  return rows
    .map((r, i) => [r, i] as const)
    .sort(([a, i], [b, j]) => {
      const x = get(a);
      const y = get(b);
      let c: number;
      if (typeof x === "number" && typeof y === "number") c = x - y;
      else if (x === undefined || y === undefined) c = x === undefined ? (y === undefined ? 0 : 1) : -1;
      else c = String(x).localeCompare(String(y));
      if (Number.isNaN(c)) c = 0;
      return (x === undefined || y === undefined ? c : sign * c) || i - j;
    })
    .map(([r]) => r);
}

export function filterRows<T extends { key: string; opType?: string; provider?: string }>(
  rows: readonly T[],
  filter: string,
): T[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return rows.slice();
  return rows.filter((r) => {
    const text = `${r.key} ${r.opType ?? ""} ${r.provider ?? ""}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}

/** The next sort after a click on `column`: the same column flips, another starts descending (biggest first). */
export function nextSort(current: SortSpec | undefined, column: string): SortSpec {
  if (current?.column === column) return { column, descending: !current.descending };
  return { column, descending: column !== "key" };
}
