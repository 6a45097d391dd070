// Two backtest runs side by side: each metric either run has, with the second's difference from the first.
export interface MetricRow {
  name: string;
  a: number | null;
  b: number | null;
  /** b - a; null unless both are numbers. */
  diff: number | null;
}

export function compareMetrics(
  a: Record<string, number> | undefined,
  b: Record<string, number> | undefined,
): MetricRow[] {
  const names = [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])];
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return names.map((name) => {
    const x = num(a?.[name]);
    const y = num(b?.[name]);
    return { name, a: x, b: y, diff: x !== null && y !== null ? y - x : null };
  });
}
