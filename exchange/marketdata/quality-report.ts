// The data-quality report of a stored candle series, printed after a download or an import. It runs the engine's
// own checks (core/market/quality) on what is stored and only reports: gaps, spikes and bad candles stay as they
// are, since a maintenance gap or a flash crash is real market history.
import { isEngineTimeframe, timeframeMs } from '../../core/market';
import {
  checkCandles,
  DEFAULT_QUALITY_OPTIONS,
  type QualityIssue,
  type QualityIssueKind,
  type QualityOptions,
  type QualityReport,
} from '../../core/market/quality';
import { addQualityIssues, qualityCheckOf, setQualityCheck } from '../../prisma/repositories/candles';
import { loadCandles } from './load';
import { type CandleStore, type Instant, storedSpan, toMs } from './store';
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

/** A gap or spike as stored in `candle_quality_issues`. */
export interface RecordedIssue {
  kind: 'gap' | 'spike';
  /** gap: the first missing bar; spike: the bar. UTC ms. */
  ts: number;
  /** gap: bars missing; spike: the move in log-return units. */
  size: number;
  detail: string;
}

/**
 * Checks the stored candles of [from, to) and records their gaps and spikes in `candle_quality_issues` (recording
 * twice changes nothing). The check starts a window of bars earlier, so a gap or spike at the range's start is seen
 * against the candles before it. Only records: the candles stay as they are.
 */
export async function recordQualityIssues(
  store: CandleStore,
  req: Omit<QualityRequest, 'options'>,
): Promise<RecordedIssue[]> {
  const from = toMs(req.from);
  const to = toMs(req.to);
  if (!isEngineTimeframe(req.timeframe) || to <= from) return [];
  const barMs = timeframeMs(req.timeframe);
  const context = 2 * DEFAULT_QUALITY_OPTIONS.windowBars * barMs;
  const q = await qualityReport(store, { ...req, from: from - context, to });
  const found: RecordedIssue[] = [];
  for (const issue of q.report?.issues ?? []) {
    if (issue.ts < from) continue;
    if (issue.kind === 'gap')
      found.push({
        kind: 'gap',
        ts: issue.ts - (issue.size ?? 1) * barMs,
        size: issue.size ?? 1,
        detail: issue.detail,
      });
    else if (issue.kind === 'spike')
      found.push({ kind: 'spike', ts: issue.ts, size: issue.size ?? 0, detail: issue.detail });
  }
  if (found.length)
    await addQualityIssues(
      store.prisma,
      found.map((i) => ({ market: req.market, timeframe: req.timeframe, ...i })),
    );
  return found;
}

/**
 * The collector's quality pass: records the issues of the stored candles of [from, to) that no earlier pass checked,
 * then marks the stored span as checked (`candle_quality_checks`). A run cut short after storing candles but before
 * its pass leaves them unmarked, so the next pass checks them.
 */
export async function checkNewCandles(
  store: CandleStore,
  req: Omit<QualityRequest, 'options'>,
): Promise<RecordedIssue[]> {
  const span = await storedSpan(store, req.market, req.timeframe, { from: req.from, to: req.to });
  if (!span || !isEngineTimeframe(req.timeframe)) return [];
  const end = span.last + timeframeMs(req.timeframe);
  const key = { market: req.market, timeframe: req.timeframe };
  const done = await qualityCheckOf(store.prisma, key);
  const doneFrom = done?.checkedFrom.getTime() ?? end;
  const doneTo = done?.checkedTo.getTime() ?? end;
  const found: RecordedIssue[] = [];
  // What is stored before and after the checked span (a span the stored one no longer touches is checked whole).
  const disjoint = doneTo < span.first || doneFrom > end;
  const parts: [number, number][] = disjoint
    ? [[span.first, end]]
    : [
        [span.first, doneFrom],
        [doneTo, end],
      ];
  for (const [a, b] of parts) if (b > a) found.push(...(await recordQualityIssues(store, { ...req, from: a, to: b })));
  const checked = disjoint
    ? { checkedFrom: new Date(span.first), checkedTo: new Date(end) }
    : { checkedFrom: new Date(Math.min(span.first, doneFrom)), checkedTo: new Date(Math.max(end, doneTo)) };
  await setQualityCheck(store.prisma, key, checked);
  return found;
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
