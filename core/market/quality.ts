// Data-quality gate for a market's candle stream: what to reject, what to flag, and when to refuse trading.
// Upbit omits minutes without trades, so a gap is a fact to record, not an error; many recent gaps make a
// market too thin to trade. A price spike is real data (flash crashes happen) but makes the moment untradeable.
import { type Candle, checkCandle } from './candles';
import { bucketStart, type DayBoundary, type Timeframe, timeframeMs } from './timeframes';

export type QualityIssueKind = 'invalid' | 'misaligned' | 'duplicate' | 'out-of-order' | 'gap' | 'spike';

export type QualityIssue = {
  ts: number; // open time of the candle concerned (for a gap: of the candle after it)
  kind: QualityIssueKind;
  detail: string;
  size?: number; // gap: missing bars; spike: the move in log-return units
};

export type QualityOptions = {
  timeframe: Timeframe; // bar length of the stream
  dayBoundary: DayBoundary; // only matters for daily bars
  /** true for live streams, where a candle with the newest ts again revises the forming bar; false for stored history. */
  revisions: boolean;
  windowBars: number; // "recent": the status looks this many bars back; also the spike scale's window
  spikeK: number; // a move above spikeK x the median |log return| of the window is a spike...
  spikeMinMove: number; // ...and only when it is also above this |log return| (guards calm windows)
  maxMissingRatio: number; // more missing bars than this share of the window: too thin to trade
  staleBars: number; // no candle for this many bars before the decision: stale
};

export const DEFAULT_QUALITY_OPTIONS: QualityOptions = {
  timeframe: 'minute1',
  dayBoundary: 'kst',
  revisions: true,
  windowBars: 60,
  spikeK: 12,
  spikeMinMove: 0.03,
  maxMissingRatio: 0.5,
  staleBars: 10,
};

/**
 * Defaults for a stream of `timeframe` bars. Longer bars move more: the spike floor grows with the fourth root
 * of the bar length (3% a minute, 8.4% an hour, 18.5% a day; on the stored Upbit candles this flags the
 * 2024-12-03 flash crash and 2020-03-12 on BTC and leaves ordinary volatile hours alone), and "recent" is 60 bars
 * of 1 minute but 12 bars of anything longer.
 */
export function qualityDefaults(timeframe: Timeframe): QualityOptions {
  const minutes = timeframeMs(timeframe) / 60_000;
  return {
    ...DEFAULT_QUALITY_OPTIONS,
    timeframe,
    spikeMinMove: DEFAULT_QUALITY_OPTIONS.spikeMinMove * minutes ** 0.25,
    windowBars: timeframe === 'minute1' ? DEFAULT_QUALITY_OPTIONS.windowBars : 12,
  };
}

/** A spike among a status's reasons: when (candle open time), how far (|log return|) and its reason text. */
export type QualitySpike = { ts: number; move: number; reason: string };

export type QualityStatus = { ok: boolean; issues: string[]; spikes?: QualitySpike[] };

/** What a candle that raises nothing reports (shared: frozen, so no caller can add to it). */
const NO_ISSUES: QualityIssue[] = Object.freeze([]) as unknown as QualityIssue[];

/** The verdict of a market with nothing to report (shared: frozen, so no caller can add to it). */
const OK_STATUS: QualityStatus = Object.freeze({ ok: true, issues: Object.freeze([]) as unknown as string[] });

/** |log x|: a close ratio's move. */
const absLog = (x: number) => Math.abs(Math.log(x));

/** Kinds that make the market untradeable while they are recent. */
const BLOCKING: ReadonlySet<QualityIssueKind> = new Set(['invalid', 'misaligned', 'spike']);

export type Observation =
  | { action: 'append'; candle: Candle; issues: QualityIssue[] }
  | { action: 'replace'; candle: Candle; issues: QualityIssue[] }
  | { action: 'reject'; issues: QualityIssue[] };

/**
 * The last n values in a ring, with their median on demand. A value goes in for every candle, but the median is
 * read only for a move larger than `spikeMinMove` (rare): keeping the window sorted on every push was most of the
 * quality gate's time, sorting a copy of 60 values when asked costs less. With `of`, the median is of of(value),
 * taken only when the median is read (the monitor keeps close ratios and reads |log| of them).
 */
export class RollingMedian {
  private readonly values: Float64Array;
  private readonly scratch: Float64Array;
  private next = 0;
  private n = 0;
  constructor(
    private readonly size: number,
    private readonly of?: (x: number) => number,
  ) {
    this.values = new Float64Array(size);
    this.scratch = new Float64Array(size);
  }

  push(x: number): void {
    this.values[this.next] = x;
    this.next = this.next + 1 === this.size ? 0 : this.next + 1;
    if (this.n < this.size) this.n++;
  }

  get count(): number {
    return this.n;
  }

  median(): number {
    const n = this.n;
    if (n === 0) return Number.NaN;
    // Until the ring is full its values are its first n slots.
    const sorted = this.scratch.subarray(0, n);
    if (this.of === undefined) sorted.set(this.values.subarray(0, n));
    else for (let i = 0; i < n; i++) sorted[i] = this.of(this.values[i]);
    sorted.sort();
    const mid = n >> 1;
    return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}

/** Index of the first value >= x in an ascending list (its length when there is none). */
function firstAtOrAfter(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Watches one market's candles in time order: gates each candle and keeps recent issues. */
export class QualityMonitor {
  readonly options: QualityOptions;
  private readonly barMs: number;
  private latest: Candle | null = null;
  private previousClose: number | null = null; // close of the candle before `latest`
  /** Close-to-close ratios of committed candles (1 for the first); the median is of their |log return|. */
  private readonly closeRatios: RollingMedian;
  /**
   * Ratios to the previous close inside which a high and a low surely move less than spikeMinMove, with a margin
   * far wider than the rounding of the ratio and its log: most candles are cleared without computing a log.
   */
  private readonly calmLowRatio: number;
  private readonly calmHighRatio: number;
  private readonly recentTs: number[] = []; // open times of the last windowBars candles
  private issues: QualityIssue[] = [];

  constructor(options: Partial<QualityOptions> = {}) {
    this.options = { ...qualityDefaults(options.timeframe ?? 'minute1'), ...options };
    this.barMs = timeframeMs(this.options.timeframe);
    this.closeRatios = new RollingMedian(this.options.windowBars, absLog);
    this.calmLowRatio = Math.exp(-this.options.spikeMinMove) * (1 + 1e-9);
    this.calmHighRatio = Math.exp(this.options.spikeMinMove) * (1 - 1e-9);
  }

  /**
   * Decides what to do with one raw candle and records any issue it raises. `checked`: the caller validated it
   * (checkCandle's checks) and will not change it: it is kept as it is, not checked and copied again (a backtest's
   * bars, all checked before the run).
   */
  observe(raw: unknown, checked = false): Observation {
    let c: Candle;
    if (checked) c = raw as Candle;
    else {
      const check = checkCandle(raw);
      if (!check.ok) {
        const rawTs = typeof raw === 'object' && raw !== null ? Number((raw as { ts?: unknown }).ts) : Number.NaN;
        const atTs = Number.isFinite(rawTs) ? rawTs : (this.latest?.ts ?? 0);
        return this.reject({ ts: atTs, kind: 'invalid', detail: check.problems.join('; ') });
      }
      c = check.candle;
    }
    const { timeframe, dayBoundary } = this.options;
    if (bucketStart(c.ts, timeframe, dayBoundary) !== c.ts) {
      return this.reject({
        ts: c.ts,
        kind: 'misaligned',
        detail: `ts ${c.ts} is not the open time of a ${timeframe} bar`,
      });
    }
    const latest = this.latest;
    if (latest !== null && c.ts === latest.ts) {
      if (!this.options.revisions) {
        return this.reject({ ts: c.ts, kind: 'duplicate', detail: `a second candle for ts ${c.ts}` });
      }
      this.issues = this.issues.filter((i) => !(i.ts === c.ts && i.kind === 'spike'));
      this.latest = c;
      const spike = this.spikeIssue(c);
      return { action: 'replace', candle: c, issues: this.record(spike === null ? NO_ISSUES : [spike]) };
    }
    if (latest !== null && c.ts < latest.ts) {
      return this.reject({
        ts: c.ts,
        kind: 'out-of-order',
        detail: `candle at ${c.ts} arrived after the one at ${latest.ts}`,
      });
    }
    // Most candles raise nothing: the list is made only for an issue.
    let found: QualityIssue[] = NO_ISSUES;
    if (latest !== null) {
      this.closeRatios.push(this.previousClose === null ? 1 : latest.close / this.previousClose);
      this.previousClose = latest.close;
      const missing = Math.round((c.ts - latest.ts) / this.barMs) - 1;
      if (missing > 0)
        found = [{ ts: c.ts, kind: 'gap', detail: `${missing} bar(s) missing before ${c.ts}`, size: missing }];
    }
    this.latest = c;
    this.recentTs.push(c.ts);
    // Older open times are cut off in batches (a shift per candle moved the whole list): status() counts only the
    // window's, and the list keeps at least the last windowBars + 1 (+1: one bar past a decision).
    if (this.recentTs.length > 2 * (this.options.windowBars + 1))
      this.recentTs.splice(0, this.recentTs.length - (this.options.windowBars + 1));
    const spike = this.spikeIssue(c);
    if (spike !== null) found = found === NO_ISSUES ? [spike] : [...found, spike];
    return { action: 'append', candle: c, issues: this.record(found) };
  }

  /**
   * Verdict at `decisionTs`: ok=false with the reasons means skip this market now. Spikes among the reasons are
   * also listed in `spikes` (present only when there are any), so a caller can waive them (evaluateMarket does, by
   * the risk config's `dataQuality`).
   */
  status(decisionTs: number): QualityStatus {
    const { windowBars, maxMissingRatio, staleBars } = this.options;
    const windowStart = decisionTs - windowBars * this.barMs;
    // Issues that left the window are dropped (a new list only when there are some: most calls have none).
    const keepFrom = windowStart - this.barMs;
    for (const i of this.issues)
      if (i.ts < keepFrom) {
        this.issues = this.issues.filter((j) => j.ts >= keepFrom);
        break;
      }
    if (this.latest === null) return { ok: false, issues: ['no data'] };
    // Lists made only when there is something to say: most verdicts (every market's, at every decision) find nothing.
    let reasons: string[] | undefined;
    let spikes: QualitySpike[] | undefined;
    const sinceLast = Math.floor((decisionTs - this.latest.ts) / this.barMs) - 1;
    if (sinceLast >= staleBars) reasons = [`stale: no candle for ${sinceLast} bars`];
    // recentTs ascends (later candles only append): the bars in [windowStart, decisionTs) by two binary searches.
    const present = firstAtOrAfter(this.recentTs, decisionTs) - firstAtOrAfter(this.recentTs, windowStart);
    const missing = windowBars - present;
    if (missing > maxMissingRatio * windowBars) {
      reasons ??= [];
      reasons.push(`sparse: ${missing} of the last ${windowBars} bars missing`);
    }
    for (const i of this.issues) {
      if (BLOCKING.has(i.kind) && i.ts >= windowStart && i.ts < decisionTs) {
        const reason = `${i.kind} at ${i.ts}: ${i.detail}`;
        reasons ??= [];
        reasons.push(reason);
        if (i.kind === 'spike') {
          spikes ??= [];
          spikes.push({ ts: i.ts, move: i.size ?? 0, reason });
        }
      }
    }
    if (reasons === undefined) return OK_STATUS;
    return spikes ? { ok: false, issues: reasons, spikes } : { ok: false, issues: reasons };
  }

  /** Issues recorded within the recent window (all kinds, blocking or not). */
  recentIssues(): readonly QualityIssue[] {
    return this.issues;
  }

  private spikeIssue(c: Candle): QualityIssue | null {
    const prev = this.previousClose;
    if (prev === null) return null;
    if (c.high / prev < this.calmHighRatio && c.low / prev > this.calmLowRatio) return null;
    const move = Math.max(Math.abs(Math.log(c.high / prev)), Math.abs(Math.log(c.low / prev)));
    // The threshold is never below spikeMinMove: a smaller move needs no median.
    if (move <= this.options.spikeMinMove) return null;
    const scale = this.closeRatios.count >= 10 ? this.closeRatios.median() : 0;
    const threshold = Math.max(this.options.spikeK * scale, this.options.spikeMinMove);
    if (move <= threshold) return null;
    return {
      ts: c.ts,
      kind: 'spike',
      detail: `move ${(move * 100).toFixed(2)}% from the previous close exceeds ${(threshold * 100).toFixed(2)}%`,
      size: move,
    };
  }

  private reject(issue: QualityIssue): Observation {
    return { action: 'reject', issues: this.record([issue]) };
  }

  private record(found: QualityIssue[]): QualityIssue[] {
    if (found.length > 0) this.issues.push(...found);
    if (this.issues.length > 4 * this.options.windowBars)
      this.issues.splice(0, this.issues.length - 2 * this.options.windowBars);
    return found;
  }
}

export type QualityReport = {
  candles: number; // inputs checked
  accepted: number;
  issues: QualityIssue[];
  gaps: number;
  missingBars: number;
  largestGap: number;
};

/** Checks stored history (oldest first): every issue found, and gap totals. Duplicates are issues here. */
export function checkCandles(candles: readonly unknown[], options: Partial<QualityOptions> = {}): QualityReport {
  const monitor = new QualityMonitor({ ...options, revisions: false });
  const report: QualityReport = {
    candles: candles.length,
    accepted: 0,
    issues: [],
    gaps: 0,
    missingBars: 0,
    largestGap: 0,
  };
  for (const raw of candles) {
    const seen = monitor.observe(raw);
    if (seen.action !== 'reject') report.accepted++;
    for (const issue of seen.issues) {
      report.issues.push(issue);
      if (issue.kind === 'gap' && issue.size !== undefined) {
        report.gaps++;
        report.missingBars += issue.size;
        report.largestGap = Math.max(report.largestGap, issue.size);
      }
    }
  }
  return report;
}
