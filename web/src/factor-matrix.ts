// The strategy monitor's heatmap data: per market, the newest recorded decision's factor scores.
import type { Decision } from './api/types';

export interface FactorMatrix {
  markets: string[];
  factors: string[];
  /** [factor index, market index, score] for each score recorded. */
  cells: [number, number, number][];
  /** The decision each market's row comes from. */
  rows: Decision[];
}

/** `decisions` newest first (as GET /api/decisions gives them): the first one per market is its newest. */
export function factorMatrix(decisions: readonly Decision[]): FactorMatrix {
  const newest = new Map<string, Decision>();
  for (const d of decisions) if (!newest.has(d.market)) newest.set(d.market, d);
  const rows = [...newest.values()].sort((a, b) => a.market.localeCompare(b.market));
  const factorsOf = (d: Decision) => {
    const f = (d.snapshot as { factors?: unknown } | null)?.factors;
    return f && typeof f === 'object' ? (f as Record<string, unknown>) : {};
  };
  const factors = [...new Set(rows.flatMap((d) => Object.keys(factorsOf(d))))].sort();
  const cells: [number, number, number][] = [];
  rows.forEach((d, y) => {
    const f = factorsOf(d);
    factors.forEach((name, x) => {
      const v = f[name];
      if (typeof v === 'number' && Number.isFinite(v)) cells.push([x, y, v]);
    });
  });
  return { markets: rows.map((d) => d.market), factors, cells, rows };
}
