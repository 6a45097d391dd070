// The data-quality report of a stored candle series, printed after a download or an import. It runs the engine's
// own checks (core/market/quality) on what is stored and only reports: gaps, spikes and bad candles stay as they
// are, since a maintenance gap or a flash crash is real market history.
import { isEngineTimeframe } from '../../core/market';
import {
  checkCandles,
  type QualityIssue,
  type QualityIssueKind,
  type QualityOptions,
  type QualityReport,
} from '../../core/market/quality';
import { loadCandles } from './load';
import { type CandleStore, type Instant, toMs } from './store';
import type { CandleTimeframe } from './timeframes';

export interface SeriesQualityReport {
  market: string;
  timeframe: CandleTimeframe;
  /** The range checked, [from, to) UTC ms. */
  from: number;
  to: number;
  /** The engine's findings; undefined when its checks do not cover this timeframe (e.g. week, month). */
  report?: QualityReport;
  /** Issues per kind. */
  counts: Partial<Record<QualityIssueKind, number>>;
  /** True when nothing at all was found (gaps included). */
  clean: boolean;
}

export interface QualityRequest {
  market: string;
  timeframe: CandleTimeframe;
  from: Instant;
  to: Instant;
  /** Spike threshold and the like; timeframe and day boundary are set here. */
  options?: Partial<Omit<QualityOptions, 'timeframe' | 'dayBoundary'>>;
}

export async function qualityReport(store: CandleStore, req: QualityRequest): Promise<SeriesQualityReport> {
  const from = toMs(req.from);
  const to = toMs(req.to);
  const out: SeriesQualityReport = { market: req.market, timeframe: req.timeframe, from, to, counts: {}, clean: true };
  if (!isEngineTimeframe(req.timeframe)) return out;
  const candles = (await loadCandles(store, { markets: [req.market], timeframe: req.timeframe, from, to }))[req.market];
  // Stored candles are Upbit's, whose days begin at 00:00 UTC.
  out.report = checkCandles(candles, { ...req.options, timeframe: req.timeframe, dayBoundary: 'utc' });
  for (const issue of out.report.issues) out.counts[issue.kind] = (out.counts[issue.kind] ?? 0) + 1;
  out.clean = out.report.issues.length === 0;
  return out;
}

const iso = (ts: number) => new Date(ts).toISOString().replace('.000Z', 'Z');

/** A few lines for a terminal: totals, then the first `perKind` issues of each kind with their times. */
export function formatQualityReport(r: SeriesQualityReport, perKind = 5): string {
  const head = `quality ${r.market} ${r.timeframe} ${iso(r.from)} → ${iso(r.to)}:`;
  if (!r.report) return `${head} not checked (the engine's checks cover minute1..minute240 and day)`;
  const { candles, gaps, missingBars, largestGap } = r.report;
  const lines = [
    `${head} ${candles} candles; gaps ${gaps} (${missingBars} bars missing, largest ${largestGap})` +
      Object.entries(r.counts)
        .filter(([kind]) => kind !== 'gap')
        .map(([kind, n]) => `; ${kind} ${n}`)
        .join(''),
  ];
  const byKind = new Map<QualityIssueKind, QualityIssue[]>();
  for (const issue of r.report.issues) {
    const list = byKind.get(issue.kind);
    if (list) list.push(issue);
    else byKind.set(issue.kind, [issue]);
  }
  for (const [kind, issues] of byKind) {
    // Largest gaps first; every other kind in time order.
    const shown = kind === 'gap' ? [...issues].sort((a, b) => (b.size ?? 0) - (a.size ?? 0)) : issues;
    for (const issue of shown.slice(0, perKind)) lines.push(`  ${kind} at ${iso(issue.ts)}: ${issue.detail}`);
    if (issues.length > perKind) lines.push(`  … ${issues.length - perKind} more ${kind}`);
  }
  return lines.join('\n');
}
