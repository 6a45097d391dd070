// Account limits as pure data: `RiskState` is advanced only by the reducers below and read by
// `checkEntry`. Time always comes in as an argument (workflow time or bar time), never from a clock.
import Decimal from 'decimal.js';
import type { EntryCandidate, EntryCheck, EquityEstimate, Halt, HaltKind, RiskConfig, RiskState } from './types';

const DAY_MS = 86_400_000;
const KST_OFFSET_MS = 9 * 3_600_000;
const MAX_PEAK_DAYS = 90;
const MAX_PNL_DAYS = 7;

// kstDay runs at every decision and fill, for today and for the first day of the drawdown window: each day's
// string is built once (the table is emptied now and then; it holds a few hundred short strings at most).
const dayStrings = new Map<number, string>();

/** KST calendar day ('YYYY-MM-DD') of a UTC millisecond timestamp. */
export function kstDay(ts: number): string {
  const dayNumber = Math.floor((ts + KST_OFFSET_MS) / DAY_MS);
  let day = dayStrings.get(dayNumber);
  if (day === undefined) {
    if (dayStrings.size >= 512) dayStrings.clear();
    day = new Date(ts + KST_OFFSET_MS).toISOString().slice(0, 10);
    dayStrings.set(dayNumber, day);
  }
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
  if (last?.day === day) {
    const row = make(last);
    if (row === last && list.length <= keep) return list;
    return [...list.slice(0, -1), row].slice(-keep);
  }
  return [...list, make()].slice(-keep);
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

/**
 * equityPeak of `next` when its list differs from `before` only in today's row (replaced by a higher peak, or
 * appended on a new day without trimming): the older answer or that row, the earlier of equals as equityPeak picks,
 * without scanning up to 90 rows at every valuation that sets a new high.
 */
function equityPeakAfter(before: RiskState['equityPeaks'], next: RiskState, ts: number, days: number): Decimal | null {
  const list = next.equityPeaks;
  const hit = list === before ? undefined : peakOfList.get(before);
  const sameOlderRows =
    (list.length === before.length && (list.length === 1 || list[0] === before[0])) ||
    (list.length === before.length + 1 && (before.length === 0 || list[0] === before[0]));
  if (!hit || !sameOlderRows || hit.first !== kstDay(ts - (days - 1) * DAY_MS)) return equityPeak(next, ts, days);
  const today = peakOf(list[list.length - 1]);
  const peak = hit.peak && !hit.peak.lt(today) ? hit.peak : today;
  peakOfList.set(list, { first: hit.first, peak });
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

/**
 * onEquity of an estimated valuation surely below today's peak, on a day whose rows exist already: then no row
 * changes, and unless the drawdown is near its limit the state stays as it is. Null when the estimate cannot say so
 * (a new day, a new peak, too close to either, or near the limit): the exact figure decides.
 */
function belowTodaysPeak(state: RiskState, estimate: EquityEstimate, ts: number, config: RiskConfig): RiskState | null {
  const day = kstDay(ts);
  const today = state.equityPeaks[state.equityPeaks.length - 1];
  if (today?.day !== day || state.dayOpenEquity[state.dayOpenEquity.length - 1]?.day !== day) return null;
  if (state.equityPeaks.length > MAX_PEAK_DAYS || state.dayOpenEquity.length > MAX_PNL_DAYS) return null; // trimmed
  // The peak's double is within half an ulp of it: a margin of a few ulps keeps the comparison on the safe side.
  const p = peakNumber(peakOf(today));
  if (!(estimate.approx + estimate.error < p - Math.abs(p) * 2 ** -50)) return null;
  // Below today's peak, so below the window's peak (at least today's): only the drawdown remains to check.
  const peak = equityPeak(state, ts, config.drawdownWindowDays);
  if (peak === null || !(peakNumber(peak) > 0)) return null;
  return nearDrawdownLimit(peak, estimate.approx, config) ? null : state;
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
    return belowTodaysPeak(state, equityKrw, ts, config) ?? onEquity(state, equityKrw.exactKrw(), ts, config);
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
  const equityPeaks = upsertDay(
    state.equityPeaks,
    day,
    // A day's row is replaced only by a higher peak (the row and the list stay the same objects otherwise, also when
    // the valuation equals the peak: a flat account's every valuation).
    (prev) => {
      // Written here from this very string: the same amount, written the same way.
      if (prev && prev.peakKrw === equityKrw && writtenPeaks.has(prev)) return prev;
      if (prev && equity.lt(peakOf(prev))) return prev;
      const peakKrw = equity.toFixed();
      if (prev?.peakKrw === peakKrw) return prev;
      const row = { day, peakKrw };
      parsedPeaks.set(row, equity);
      writtenPeaks.add(row);
      return row;
    },
    MAX_PEAK_DAYS,
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
  const peak = equityPeakAfter(state.equityPeaks, next, ts, config.drawdownWindowDays);
  // At or above the peak there is no drawdown to reach a positive limit: nothing to compute. A decimal string reads as
  // the double Decimal#toNumber gives (both round the same exact value).
  const equityNumber = typeof equityKrw === 'string' ? Number(equityKrw) : equity.toNumber();
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
