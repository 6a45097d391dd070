// Account limits as pure data: `RiskState` is advanced only by the reducers below and read by
// `checkEntry`. Time always comes in as an argument (workflow time or bar time), never from a clock.
import Decimal from 'decimal.js';
import type { EntryCandidate, EntryCheck, EquityEstimate, Halt, HaltKind, RiskConfig, RiskState } from './types';

const DAY_MS = 86_400_000;
const KST_OFFSET_MS = 9 * 3_600_000;
const MAX_PEAK_DAYS = 90;
const MAX_PNL_DAYS = 7;

// kstDay runs at every decision and fill, for today and for the first day of the drawdown window: each day's
// string is built once (the table is emptied now and then; it holds a few hundred short strings at most), and the
// last few are at hand by day number modulo 8 (today and the window's first day rarely share a slot).
const dayStrings = new Map<number, string>();
const recentDayNumbers = new Float64Array(8).fill(Number.NaN);
const recentDays: string[] = new Array(8).fill('');

/** KST calendar day ('YYYY-MM-DD') of a UTC millisecond timestamp. */
export function kstDay(ts: number): string {
  const dayNumber = Math.floor((ts + KST_OFFSET_MS) / DAY_MS);
  const slot = dayNumber & 7;
  if (recentDayNumbers[slot] === dayNumber) return recentDays[slot];
  let day = dayStrings.get(dayNumber);
  if (day === undefined) {
    if (dayStrings.size >= 512) dayStrings.clear();
    day = new Date(ts + KST_OFFSET_MS).toISOString().slice(0, 10);
    dayStrings.set(dayNumber, day);
  }
  recentDayNumbers[slot] = dayNumber;
  recentDays[slot] = day;
  return day;
}

/** First millisecond of the KST day after the one containing ts. */
export function nextKstDayStart(ts: number): number {
  return Math.floor((ts + KST_OFFSET_MS) / DAY_MS + 1) * DAY_MS - KST_OFFSET_MS;
}

export function emptyRiskState(): RiskState {
  return {
    equityPeaks: [],
    dayOpenEquity: [],
    dailyPnl: [],
    entries: { day: '', perCoin: {} },
    lastLossTs: {},
    open: {},
    halts: [],
    btcMinutes: [],
    volatilityHaltUntil: 0,
  };
}

/** Replaces (or appends) the entry of `day` in a day-keyed list kept in day order, trimmed to `keep`. */
function upsertDay<T extends { day: string }>(list: T[], day: string, make: (prev?: T) => T, keep: number): T[] {
  const last = list[list.length - 1];
  // One copy of the kept rows (a peak list holds up to 90, copied at every new high).
  if (last?.day === day) {
    const row = make(last);
    if (row === last && list.length <= keep) return list;
    const out = list.slice(Math.max(0, list.length - keep));
    out[out.length - 1] = row;
    return out;
  }
  const out = list.slice(Math.max(0, list.length + 1 - keep));
  out.push(make());
  return out;
}

/** Lowest running realised PnL of the KST day (0 when nothing closed that day). */
function todayLowPnl(state: RiskState, day: string): Decimal {
  const row = state.dailyPnl[state.dailyPnl.length - 1];
  return row?.day === day ? new Decimal(row.lowKrw) : new Decimal(0);
}

/** Peak rows onEquity wrote: their amount is Decimal#toFixed's, so a string equal to it reads back to itself. */
const writtenPeaks = new WeakSet<RiskState['equityPeaks'][number]>();

// The last valuation string parsed: a flat account's valuations repeat.
let lastValuationKrw: string | undefined;
let lastValuation: Decimal | undefined;
function valuationOf(equityKrw: Decimal.Value): Decimal {
  if (typeof equityKrw !== 'string') return new Decimal(equityKrw);
  if (equityKrw !== lastValuationKrw || lastValuation === undefined) {
    lastValuation = new Decimal(equityKrw);
    lastValuationKrw = equityKrw;
  }
  return lastValuation;
}

/** Each peak row's amount parsed once: rows are never changed, a new peak is a new row. */
const parsedPeaks = new WeakMap<RiskState['equityPeaks'][number], Decimal>();
function peakOf(row: RiskState['equityPeaks'][number]): Decimal {
  let d = parsedPeaks.get(row);
  if (!d) {
    d = new Decimal(row.peakKrw);
    parsedPeaks.set(row, d);
  }
  return d;
}

/** The last equityPeak answer per peak list (kept while the list and the window's first day stay the same). */
const peakOfList = new WeakMap<RiskState['equityPeaks'], { first: string; peak: Decimal | null }>();

/** Highest equity over the last `days` KST days up to and including the day of ts. */
export function equityPeak(state: RiskState, ts: number, days: number): Decimal | null {
  const first = kstDay(ts - (days - 1) * DAY_MS);
  const hit = peakOfList.get(state.equityPeaks);
  if (hit?.first === first) return hit.peak;
  let peak: Decimal | null = null;
  for (const row of state.equityPeaks)
    if (row.day >= first) {
      const d = peakOf(row);
      if (!peak || peak.lt(d)) peak = d;
    }
  peakOfList.set(state.equityPeaks, { first, peak });
  return peak;
}

/** Peaks as doubles, for nearDrawdownLimit (the peak Decimals are the ones peakOf keeps). */
const peakNumbers = new WeakMap<Decimal, number>();

/**
 * False only when the drawdown is surely below the limit: the same figure in doubles, off by far less than the
 * margin here, so the exact decimal division runs only near the limit. `equity` is the valuation as a double (NaN
 * when it does not read as one: then the exact check runs).
 */
function nearDrawdownLimit(peak: Decimal, equity: number, config: RiskConfig): boolean {
  const p = peakNumber(peak);
  return !(((p - equity) / p) * 100 < config.maxDrawdownPct - 1e-6);
}

function addHalt(state: RiskState, kind: HaltKind, ts: number, reason: string): RiskState {
  if (state.halts.some((h) => h.kind === kind)) return state;
  return { ...state, halts: [...state.halts, { kind, sinceTs: ts, reason }] };
}

/** A peak's double, kept per peak Decimal. */
function peakNumber(peak: Decimal): number {
  let p = peakNumbers.get(peak);
  if (p === undefined) {
    p = peak.toNumber();
    peakNumbers.set(peak, p);
  }
  return p;
}

/** Turns a lazy row's getter into the plain field it stands for (a frozen row keeps the getter, which still answers). */
function settle(row: object, field: string, value: string): string {
  Reflect.defineProperty(row, field, { value, enumerable: true, writable: true, configurable: true });
  return value;
}

/** An estimate's exact figure kept for later (EquityEstimate.keepExact), computed at the first read. */
class KeptFigure {
  readonly #kept: () => string;
  #value: string | undefined;

  constructor(estimate: EquityEstimate) {
    this.#kept = estimate.keepExact();
  }

  read(): string {
    this.#value ??= this.#kept();
    return this.#value;
  }
}

/**
 * A row whose amount (`field`) is the estimate's exact string, computed when first read (`figure`, which a new day's
 * two rows share) and from then on a plain field: the row onEquity writes from an estimate that surely sets a new
 * peak or opens a new day. A peak row's bounds are known at once (rowBounds), so later valuations compare with it
 * without the decimals. As JSON, and to deep equality, it is the row the exact path writes.
 */
function lazyRow(day: string, field: 'peakKrw' | 'equityKrw', estimate: EquityEstimate, figure: KeptFigure) {
  // Object literals, not defineProperty on a new object: every lazy row of a field has one shape.
  const row =
    field === 'peakKrw'
      ? {
          day,
          get peakKrw(): string {
            return settle(this, 'peakKrw', figure.read());
          },
        }
      : {
          day,
          get equityKrw(): string {
            return settle(this, 'equityKrw', figure.read());
          },
        };
  // Peaks are compared with later valuations; day-open rows only read by the daily loss check.
  if (field === 'peakKrw')
    rowBounds.set(row, { lo: estimate.approx - estimate.error, hi: estimate.approx + estimate.error });
  return row;
}

/** Where a peak row's amount lies: a lazy row's estimate, or a written row's double within a few ulps. */
const rowBounds = new WeakMap<object, { lo: number; hi: number }>();
function boundsOf(row: RiskState['equityPeaks'][number]): { lo: number; hi: number } {
  let b = rowBounds.get(row);
  if (!b) {
    // The peak's double is within half an ulp of it: a margin of a few ulps keeps every comparison on the safe side.
    const p = peakNumber(peakOf(row));
    b = { lo: p - Math.abs(p) * 2 ** -50, hi: p + Math.abs(p) * 2 ** -50 };
    rowBounds.set(row, b);
  }
  return b;
}

/**
 * Per peak list: an upper bound of the highest of its rows but the last within the window from `first`, and the day
 * of the row giving it ('' with none). Carried to the next list when today's row is replaced or a day appended, and
 * still good for a later window start while that row stays inside: the rows are scanned again only when it leaves.
 */
const olderPeakHigh = new WeakMap<RiskState['equityPeaks'], { first: string; hi: number; day: string }>();

/** An upper bound of equityPeak over the window from `first` (-Infinity without a row in it). */
function peakHigh(list: RiskState['equityPeaks'], first: string): number {
  let older = olderPeakHigh.get(list);
  if (older === undefined || older.first > first || (older.first < first && older.day < first)) {
    older = { first, hi: Number.NEGATIVE_INFINITY, day: '' };
    for (let i = 0; i < list.length - 1; i++) {
      const row = list[i];
      const hi = row.day >= first ? boundsOf(row).hi : Number.NEGATIVE_INFINITY;
      if (hi > older.hi) older = { first, hi, day: row.day };
    }
    olderPeakHigh.set(list, older);
  }
  const last = list[list.length - 1];
  return last === undefined || last.day < first ? older.hi : Math.max(older.hi, boundsOf(last).hi);
}

/** upsertDay for the peak list, carrying the bound over the rows before the last (peakHigh) to the new list. */
function upsertPeak(
  list: RiskState['equityPeaks'],
  day: string,
  make: (prev?: RiskState['equityPeaks'][number]) => RiskState['equityPeaks'][number],
): RiskState['equityPeaks'] {
  const next = upsertDay(list, day, make, MAX_PEAK_DAYS);
  const older = next === list ? undefined : olderPeakHigh.get(list);
  const last = list[list.length - 1];
  if (older === undefined || last === undefined) return next;
  if (next.length === list.length && last.day === day)
    olderPeakHigh.set(next, older); // today's row replaced
  else if (
    next[next.length - 2] === last &&
    last.day >= older.first &&
    (older.day === '' || older.day >= next[0].day)
  ) {
    // A day appended (the oldest rows trimmed, but not the highest): yesterday's row joins the older rows.
    const hi = boundsOf(last).hi;
    olderPeakHigh.set(next, hi > older.hi ? { first: older.first, hi, day: last.day } : older);
  }
  return next;
}

/**
 * True when a valuation of at least `lo` is surely short of the drawdown limit below a window peak of at most
 * `peakHi` (peakHigh): (peakHi - lo) / peakHi bounds the drawdown from above, with nearDrawdownLimit's margin. Then
 * no halt, whatever the exact figures, and no peak is parsed or computed; otherwise the decimals decide.
 */
function surelyShortOfDrawdownLimit(peakHi: number, lo: number, config: RiskConfig): boolean {
  if (!(config.maxDrawdownPct > 0 && lo > 0)) return false;
  return lo >= peakHi || ((peakHi - lo) / peakHi) * 100 < config.maxDrawdownPct - 1e-6;
}

/** The first KST day of the drawdown window at ts. */
function windowStart(ts: number, config: RiskConfig): string {
  return kstDay(ts - (config.drawdownWindowDays - 1) * DAY_MS);
}

/**
 * onEquity of an estimated valuation, without its exact figure when the bound decides: today's peak row kept (the
 * valuation surely below it) or replaced (surely above), a new day's rows appended, and the drawdown surely short of
 * its limit. New rows are lazy (lazyRow). Null when the bound cannot say (the valuation too close to today's peak, or
 * the drawdown near the limit): the exact figure decides.
 */
function estimatedOnEquity(
  state: RiskState,
  estimate: EquityEstimate,
  ts: number,
  config: RiskConfig,
): RiskState | null {
  const lo = estimate.approx - estimate.error;
  const hi = estimate.approx + estimate.error;
  if (!(lo > 0 && Number.isFinite(hi))) return null;
  const day = kstDay(ts);
  const last = state.equityPeaks[state.equityPeaks.length - 1];
  // Today's row, if there is one, kept when the valuation is surely below it and replaced when surely above.
  const today = last?.day === day ? boundsOf(last) : null;
  const keep = today !== null && hi < today.lo;
  if (today !== null && !keep && !(lo > today.hi)) return null;
  // The window's peak after this valuation is at most the present rows' (a row trimmed or replaced only lowers it)
  // or this valuation's: checked before any row is made.
  const peakHi = peakHigh(state.equityPeaks, windowStart(ts, config));
  if (!surelyShortOfDrawdownLimit(keep ? peakHi : Math.max(peakHi, hi), lo, config)) return null;
  // A new day's two rows share one kept figure, computed once when either is read. (No named closures here: tsx,
  // which runs the benches, wraps each in a defineProperty at every call.)
  let kept: KeptFigure | undefined;
  const equityPeaks = upsertPeak(state.equityPeaks, day, (prev) => {
    if (keep) return prev!;
    kept ??= new KeptFigure(estimate);
    return lazyRow(day, 'peakKrw', estimate, kept) as RiskState['equityPeaks'][number];
  });
  const dayOpenEquity = upsertDay(
    state.dayOpenEquity,
    day,
    (prev) => {
      if (prev) return prev;
      kept ??= new KeptFigure(estimate);
      return lazyRow(day, 'equityKrw', estimate, kept) as RiskState['dayOpenEquity'][number];
    },
    MAX_PNL_DAYS,
  );
  return equityPeaks === state.equityPeaks && dayOpenEquity === state.dayOpenEquity
    ? state
    : { ...state, equityPeaks, dayOpenEquity };
}

/**
 * Records a valuation of the account. Tracks daily peaks and the day's opening equity, and halts the
 * strategy (kind 'drawdown', lifted only by `clearHalt`) when equity falls maxDrawdownPct below the peak.
 */
export function onEquity(
  state: RiskState,
  equityKrw: Decimal.Value | EquityEstimate,
  ts: number,
  config: RiskConfig,
): RiskState {
  if (typeof equityKrw === 'object' && !Decimal.isDecimal(equityKrw))
    return estimatedOnEquity(state, equityKrw, ts, config) ?? onEquity(state, equityKrw.exactKrw(), ts, config);
  const day = kstDay(ts);
  const u = unchanged;
  if (
    u !== undefined &&
    u.equityPeaks === state.equityPeaks &&
    u.dayOpenEquity === state.dayOpenEquity &&
    u.halts === state.halts &&
    u.equityKrw === equityKrw &&
    u.day === day &&
    u.config === config
  )
    return state;
  const equity = valuationOf(equityKrw);
  // A decimal string reads as the double Decimal#toNumber gives (both round the same exact value).
  const equityNumber = typeof equityKrw === 'string' ? Number(equityKrw) : equity.toNumber();
  const equityPeaks = upsertPeak(
    state.equityPeaks,
    day,
    // A day's row is replaced only by a higher peak (the row and the list stay the same objects otherwise, also when
    // the valuation equals the peak: a flat account's every valuation).
    (prev) => {
      // Surely below (without reading a lazy row's string), or written here from this very string.
      if (prev && equityNumber + Math.abs(equityNumber) * 2 ** -50 < boundsOf(prev).lo) return prev;
      if (prev && prev.peakKrw === equityKrw && writtenPeaks.has(prev)) return prev;
      if (prev && equity.lt(peakOf(prev))) return prev;
      const peakKrw = equity.toFixed();
      if (prev?.peakKrw === peakKrw) return prev;
      const row = { day, peakKrw };
      parsedPeaks.set(row, equity);
      writtenPeaks.add(row);
      return row;
    },
  );
  const dayOpenEquity = upsertDay(
    state.dayOpenEquity,
    day,
    (prev) => prev ?? { day, equityKrw: equity.toFixed() },
    MAX_PNL_DAYS,
  );
  // Most valuations of a day set no peak: then the state stays the same object.
  let next: RiskState =
    equityPeaks === state.equityPeaks && dayOpenEquity === state.dayOpenEquity
      ? state
      : { ...state, equityPeaks, dayOpenEquity };
  // The double is within half an ulp of the valuation; most valuations are far from the limit, decided by bounds.
  const surelyShort = surelyShortOfDrawdownLimit(
    peakHigh(equityPeaks, windowStart(ts, config)),
    equityNumber - Math.abs(equityNumber) * 2 ** -50,
    config,
  );
  const peak = surelyShort ? null : equityPeak(next, ts, config.drawdownWindowDays);
  // At or above the peak there is no drawdown to reach a positive limit: nothing to compute.
  if (
    peak?.gt(0) &&
    (equity.lt(peak) || !(config.maxDrawdownPct > 0)) &&
    nearDrawdownLimit(peak, equityNumber, config)
  ) {
    const drawdownPct = peak.minus(equity).div(peak).mul(100);
    if (drawdownPct.gte(config.maxDrawdownPct))
      next = addHalt(
        next,
        'drawdown',
        ts,
        `MaxDrawdown: equity ${equity.toFixed(0)} is ${drawdownPct.toFixed(2)}% below the ${config.drawdownWindowDays}-day peak ${peak.toFixed(0)} (limit ${config.maxDrawdownPct}%)`,
      );
  }
  if (next === state && typeof equityKrw === 'string') {
    const { equityPeaks: peaks, dayOpenEquity: opens, halts } = state;
    unchanged = { equityPeaks: peaks, dayOpenEquity: opens, halts, equityKrw, day, config };
  }
  return next;
}

/**
 * The last valuation that changed nothing. What onEquity does depends on the state's peaks, day-open rows and halts
 * (it reads nothing else of it), the valuation, the KST day (today's rows and the window's first day) and the config,
 * and on the time only through a new halt, which is a change: the same again changes nothing again (a flat account's
 * valuations repeat all day, while other parts of the state, such as the BTC minutes, move on).
 */
let unchanged:
  | (Pick<RiskState, 'equityPeaks' | 'dayOpenEquity' | 'halts'> & {
      equityKrw: string;
      day: string;
      config: RiskConfig;
    })
  | undefined;

/**
 * Records a fill. A bid on a position id not yet open opens it and counts one entry for the coin that
 * KST day; later bids add cost. An ask reduces the cost by the share of volume sold (`costShareSold`).
 */
export function onFill(
  state: RiskState,
  fill: {
    positionId: string;
    market: string;
    side: 'bid' | 'ask';
    totalKrw: Decimal.Value;
    ts: number;
    costShareSold?: number;
  },
): RiskState {
  const existing = state.open[fill.positionId];
  if (fill.side === 'ask') {
    if (!existing) return state;
    const share = Math.min(Math.max(fill.costShareSold ?? 0, 0), 1);
    const cost = new Decimal(existing.costKrw).mul(1 - share);
    return { ...state, open: { ...state.open, [fill.positionId]: { ...existing, costKrw: cost.toFixed() } } };
  }
  const total = new Decimal(fill.totalKrw);
  if (existing) {
    const costKrw = total.plus(existing.costKrw).toFixed();
    return { ...state, open: { ...state.open, [fill.positionId]: { ...existing, costKrw } } };
  }
  const day = kstDay(fill.ts);
  const perCoin = state.entries.day === day ? { ...state.entries.perCoin } : {};
  perCoin[fill.market] = (perCoin[fill.market] ?? 0) + 1;
  return {
    ...state,
    entries: { day, perCoin },
    open: { ...state.open, [fill.positionId]: { market: fill.market, costKrw: total.toFixed(), openedTs: fill.ts } },
  };
}

/** Records a closed position: realised PnL goes to its KST day; a loss starts the coin's cooldown. */
export function onPositionClosed(
  state: RiskState,
  closed: { positionId: string; market: string; pnlKrw: Decimal.Value; ts: number },
): RiskState {
  const pnl = new Decimal(closed.pnlKrw);
  const day = kstDay(closed.ts);
  const { [closed.positionId]: _gone, ...open } = state.open;
  return {
    ...state,
    open,
    dailyPnl: upsertDay(
      state.dailyPnl,
      day,
      (prev) => {
        const total = pnl.plus(prev?.pnlKrw ?? 0);
        return { day, pnlKrw: total.toFixed(), lowKrw: Decimal.min(total, prev?.lowKrw ?? 0).toFixed() };
      },
      MAX_PNL_DAYS,
    ),
    lastLossTs: pnl.isNeg() ? { ...state.lastLossTs, [closed.market]: closed.ts } : state.lastLossTs,
  };
}

/**
 * Records a BTC price. Keeps one [minute, high, last] row per minute over the window; when the last
 * price is volatilityHaltDropPct below the window's high, entries halt for volatilityHaltMinutes.
 */
export function onBtcPrice(state: RiskState, price: number, ts: number, config: RiskConfig): RiskState {
  if (!(price > 0)) return state;
  const minute = Math.floor(ts / 60_000) * 60_000;
  const from = minute - config.volatilityHaltWindowMinutes * 60_000;
  const kept = state.btcMinutes;
  let rows: RiskState['btcMinutes'];
  if (kept.length === 0 || kept[kept.length - 1][0] < minute) {
    // A new minute after every kept one (every bar of a backtest): the rows stay in order, the old ones leave
    // from the front.
    let i = 0;
    while (i < kept.length && kept[i][0] < from) i++;
    rows = kept.slice(i);
    rows.push([minute, price, price]);
  } else {
    rows = kept.filter(([m]) => m >= from && m !== minute);
    const current = kept.find(([m]) => m === minute);
    rows.push([minute, Math.max(current?.[1] ?? price, price), price]);
    rows.sort((a, b) => a[0] - b[0]);
  }
  let high = Number.NEGATIVE_INFINITY;
  for (const row of rows) if (row[1] > high) high = row[1];
  const dropPct = ((high - price) / high) * 100;
  const until =
    dropPct >= config.volatilityHaltDropPct
      ? Math.max(state.volatilityHaltUntil, ts + config.volatilityHaltMinutes * 60_000)
      : state.volatilityHaltUntil;
  return { ...state, btcMinutes: rows, volatilityHaltUntil: until };
}

/** Halts entries until lifted by hand (the session's emergency stop, or an operator). */
export function haltEntries(state: RiskState, ts: number, reason: string): RiskState {
  return addHalt(state, 'manual', ts, reason);
}

/** Lifts halts of one kind (or all). The drawdown halt comes back at the next onEquity if equity is still down. */
export function clearHalt(state: RiskState, kind?: HaltKind): RiskState {
  return { ...state, halts: kind ? state.halts.filter((h) => h.kind !== kind) : [] };
}

/** Whether a new entry in `candidate.market` is allowed now; the first failing limit gives the reason. */
export function checkEntry(state: RiskState, candidate: EntryCandidate, config: RiskConfig, nowTs: number): EntryCheck {
  const halt: Halt | undefined = state.halts[0];
  if (halt) return { allowed: false, code: halt.kind === 'drawdown' ? 'MaxDrawdown' : 'Halted', reason: halt.reason };

  if (nowTs < state.volatilityHaltUntil)
    return {
      allowed: false,
      code: 'VolatilityHalt',
      reason: `VolatilityHalt: BTC fell ${config.volatilityHaltDropPct}% within ${config.volatilityHaltWindowMinutes} min; entries resume at ${new Date(state.volatilityHaltUntil).toISOString()}`,
    };

  const day = kstDay(nowTs);
  const openRow = state.dayOpenEquity[state.dayOpenEquity.length - 1];
  // The lowest point of the day counts: a later win does not lift a limit already hit.
  const pnl = todayLowPnl(state, day);
  if (openRow?.day === day && pnl.isNeg()) {
    const lossPct = pnl.neg().div(openRow.equityKrw).mul(100);
    if (lossPct.gte(config.dailyLossLimitPct))
      return {
        allowed: false,
        code: 'DailyLossLimit',
        reason: `DailyLossLimit: realised PnL fell to ${pnl.toFixed(0)} KRW today (${lossPct.toFixed(2)}% of ${openRow.equityKrw}), limit ${config.dailyLossLimitPct}%; entries resume at ${new Date(nextKstDayStart(nowTs)).toISOString()}`,
      };
  }

  const open = Object.values(state.open);
  if (open.length >= config.maxOpenPositions)
    return {
      allowed: false,
      code: 'MaxOpenPositions',
      reason: `MaxOpenPositions: ${open.length} open, limit ${config.maxOpenPositions}`,
    };

  if (config.onePositionPerCoin && open.some((p) => p.market === candidate.market))
    return {
      allowed: false,
      code: 'PositionOpenInCoin',
      reason: `PositionOpenInCoin: ${candidate.market} already held`,
    };

  const entered = state.entries.day === day ? (state.entries.perCoin[candidate.market] ?? 0) : 0;
  if (entered >= config.maxEntriesPerCoinPerDay)
    return {
      allowed: false,
      code: 'EntriesPerDay',
      reason: `EntriesPerDay: ${entered} entries in ${candidate.market} on ${day} (KST), limit ${config.maxEntriesPerCoinPerDay}`,
    };

  const lossTs = state.lastLossTs[candidate.market];
  const cooldownMs = config.cooldownAfterLossMinutes * 60_000;
  if (lossTs !== undefined && nowTs < lossTs + cooldownMs)
    return {
      allowed: false,
      code: 'CooldownAfterLoss',
      reason: `CooldownAfterLoss: ${candidate.market} lost at ${new Date(lossTs).toISOString()}; next entry from ${new Date(lossTs + cooldownMs).toISOString()}`,
    };

  if (config.maxCorrelation < 1 && candidate.correlations) {
    for (const p of open) {
      const corr = candidate.correlations[p.market];
      if (corr !== undefined && corr > config.maxCorrelation)
        return {
          allowed: false,
          code: 'Correlated',
          reason: `Correlated: ${candidate.market} vs open ${p.market} correlation ${corr.toFixed(2)} > ${config.maxCorrelation}`,
        };
    }
  }
  return { allowed: true };
}
