import type { EquityPoint, Fill, Trade } from './result';

const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;
/** Crypto trades every day of the year, so daily ratios annualise with 365, not 252. */
const PERIODS_PER_YEAR = 365;

export interface PeriodReturn {
  /** UTC start of the period (ms). */
  ts: number;
  /** `YYYY-MM-DD` or `YYYY-MM`. */
  period: string;
  return: number;
}

export interface DrawdownPoint {
  ts: number;
  drawdown: number;
}

export interface Metrics {
  initialEquity: number;
  finalEquity: number;
  totalReturn: number;
  annualisedReturn: number;
  dailyReturns: PeriodReturn[];
  monthlyReturns: PeriodReturn[];
  trades: number;
  winRate: number;
  /** Mean net PnL (KRW) of winning trades; 0 if none. */
  averageWin: number;
  /** Mean net PnL (KRW) of losing trades, negative; 0 if none. */
  averageLoss: number;
  /** Gross win / gross loss; Infinity with wins and no losses, 0 with neither. */
  profitFactor: number;
  /** averageWin / |averageLoss|; Infinity with wins and no losses. */
  rewardToRisk: number;
  /** Largest fall from a running peak of equity, as a fraction (0.25 = 25 %). */
  maxDrawdown: number;
  sharpe: number;
  sortino: number;
  calmar: number;
  longestLosingStreak: number;
  averageSlippageBps: number;
  averageHoldingMs: number;
  tradesPerDay: number;
  /** Share of the tested time with at least one position open. */
  exposure: number;
  equityCurve: EquityPoint[];
  drawdownCurve: DrawdownPoint[];
}

export interface MetricsInput {
  initialEquity: number;
  /** Equity marked at each bar close, ascending ts. */
  equity: EquityPoint[];
  trades: Trade[];
  fills: Fill[];
  startTs: number;
  endTs: number;
}

function mean(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Sample standard deviation (n - 1). */
function stdev(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
}

// Every equity point asks for its day (and month): each day's string is built once (emptied now and then).
const isoDays = new Map<number, string>();

/** UTC calendar day ('YYYY-MM-DD') of a millisecond timestamp. */
function isoDay(ts: number): string {
  const dayNumber = Math.floor(ts / 86_400_000);
  let day = isoDays.get(dayNumber);
  if (day === undefined) {
    if (isoDays.size >= 4096) isoDays.clear();
    day = new Date(ts).toISOString().slice(0, 10);
    isoDays.set(dayNumber, day);
  }
  return day;
}

/**
 * Returns per calendar period (UTC): each period's last equity against the previous period's last (or the start).
 * Equity points carry bar CLOSE times, so a point at exactly midnight belongs to the day that just ended.
 */
function periodReturns(initial: number, equity: EquityPoint[], key: (ts: number) => string): PeriodReturn[] {
  const out: PeriodReturn[] = [];
  let prevClose = initial;
  let current: { key: string; ts: number; close: number } | undefined;
  for (const p of equity) {
    const k = key(p.ts - 1);
    if (current && current.key !== k) {
      out.push({ ts: current.ts, period: current.key, return: current.close / prevClose - 1 });
      prevClose = current.close;
      current = undefined;
    }
    if (!current) current = { key: k, ts: p.ts, close: p.equity };
    else current.close = p.equity;
  }
  if (current) out.push({ ts: current.ts, period: current.key, return: current.close / prevClose - 1 });
  for (const r of out) r.ts = Date.parse(r.period.length === 7 ? `${r.period}-01T00:00:00Z` : `${r.period}T00:00:00Z`);
  return out;
}

export function drawdownCurve(initial: number, equity: EquityPoint[]): DrawdownPoint[] {
  let peak = initial;
  return equity.map((p) => {
    if (p.equity > peak) peak = p.equity;
    return { ts: p.ts, drawdown: peak > 0 ? 1 - p.equity / peak : 0 };
  });
}

/** Total time covered by the union of [entryTs, exitTs] intervals. */
function timeInMarket(trades: Trade[]): number {
  const spans = trades.map((t) => [t.entryTs, t.exitTs] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let curStart = Number.NaN;
  let curEnd = Number.NaN;
  for (const [s, e] of spans) {
    if (Number.isNaN(curStart) || s > curEnd) {
      if (!Number.isNaN(curStart)) total += curEnd - curStart;
      curStart = s;
      curEnd = e;
    } else if (e > curEnd) curEnd = e;
  }
  if (!Number.isNaN(curStart)) total += curEnd - curStart;
  return total;
}

export function computeMetrics(input: MetricsInput): Metrics {
  const { initialEquity, equity, trades, fills, startTs, endTs } = input;
  if (!(initialEquity > 0)) throw new Error(`initial equity must be positive, got ${initialEquity}`);
  if (!(endTs > startTs)) throw new Error(`end (${endTs}) must be after start (${startTs})`);
  const finalEquity = equity.length ? equity[equity.length - 1].equity : initialEquity;
  const totalReturn = finalEquity / initialEquity - 1;
  const span = endTs - startTs;
  const annualisedReturn = totalReturn <= -1 ? -1 : (1 + totalReturn) ** (YEAR_MS / span) - 1;

  const dailyReturns = periodReturns(initialEquity, equity, isoDay);
  const monthlyReturns = periodReturns(initialEquity, equity, (ts) => isoDay(ts).slice(0, 7));
  const daily = dailyReturns.map((d) => d.return);
  const sd = stdev(daily);
  const sharpe = sd > 0 ? (mean(daily) / sd) * Math.sqrt(PERIODS_PER_YEAR) : 0;
  const downside = daily.length ? Math.sqrt(daily.reduce((s, r) => s + Math.min(r, 0) ** 2, 0) / daily.length) : 0;
  const sortino = downside > 0 ? (mean(daily) / downside) * Math.sqrt(PERIODS_PER_YEAR) : 0;

  const dd = drawdownCurve(initialEquity, equity);
  const maxDrawdown = dd.reduce((m, p) => Math.max(m, p.drawdown), 0);
  const calmar = maxDrawdown > 0 ? annualisedReturn / maxDrawdown : 0;

  const pnls = [...trades].sort((a, b) => a.exitTs - b.exitTs).map((t) => Number(t.pnl));
  const wins = pnls.filter((p) => p > 0);
  const losses = pnls.filter((p) => p < 0);
  const grossWin = wins.reduce((s, p) => s + p, 0);
  const grossLoss = -losses.reduce((s, p) => s + p, 0);
  const averageWin = mean(wins);
  const averageLoss = mean(losses);
  const ratio = (num: number, den: number) => (den > 0 ? num / den : num > 0 ? Number.POSITIVE_INFINITY : 0);
  let streak = 0;
  let longestLosingStreak = 0;
  for (const p of pnls) {
    streak = p < 0 ? streak + 1 : 0;
    longestLosingStreak = Math.max(longestLosingStreak, streak);
  }

  return {
    initialEquity,
    finalEquity,
    totalReturn,
    annualisedReturn,
    dailyReturns,
    monthlyReturns,
    trades: trades.length,
    winRate: trades.length ? wins.length / trades.length : 0,
    averageWin,
    averageLoss,
    profitFactor: ratio(grossWin, grossLoss),
    rewardToRisk: ratio(averageWin, -averageLoss),
    maxDrawdown,
    sharpe,
    sortino,
    calmar,
    longestLosingStreak,
    averageSlippageBps: mean(fills.map((f) => f.slippageBps)),
    averageHoldingMs: mean(trades.map((t) => t.exitTs - t.entryTs)),
    tradesPerDay: trades.length / (span / DAY_MS),
    exposure: Math.min(1, timeInMarket(trades) / span),
    equityCurve: equity,
    drawdownCurve: dd,
  };
}
