// Exit plan of one position: pure JSON state advanced by `updateExitPlan`. The Position workflow's
// guard calls it on every price, the backtester once per bar with the bar's high/low/close; both get
// the same triggers. Within one observation the stop is checked first (pessimistic for a bar whose
// low and high both cross levels), then blow-off, take-profit, and the time exit.
import Decimal from 'decimal.js';
import type { IndicatorName } from '../indicators';
import type { DecimalInput } from '../market';
import { decimalStringOf, floorVolume, minimumOrderTotal, quoteOf, roundToTick, tickSize } from '../market';
import type { ExitConfig, ExitObservation, ExitPlan, ExitTrigger, ExitTriggerKind, ExitUpdate } from './types';

/** A level on the ask grid (never below one tick, so a far stop stays a valid price). */
function askLevel(market: string, price: Decimal): Decimal {
  const quote = quoteOf(market);
  if (price.lte(0)) return tickSize(quote, 0);
  return roundToTick(quote, price, 'ask');
}

export interface CreateExitPlanInput {
  market: string;
  entryPrice: DecimalInput;
  volume: DecimalInput;
  /** ATR of the entry timeframe at entry (needed for ATR stops and the trailing stop). */
  atr: DecimalInput;
  config: ExitConfig;
  openedTs: number;
  /** The market's `min_total`; the bot minimum applies on top. */
  minTotal?: DecimalInput;
}

export function createExitPlan(input: CreateExitPlanInput): ExitPlan {
  const { market, config } = input;
  const entry = new Decimal(input.entryPrice);
  const volume = floorVolume(input.volume);
  const atr = new Decimal(input.atr);
  if (!entry.isFinite() || entry.lte(0)) throw new Error(`entryPrice must be > 0, got ${String(input.entryPrice)}`);
  if (!volume.isFinite() || volume.lte(0)) throw new Error(`volume must be > 0, got ${String(input.volume)}`);
  if (!atr.isFinite() || atr.isNeg()) throw new Error(`atr must be >= 0, got ${String(input.atr)}`);
  if (config.stopMode === 'atr' && atr.isZero()) throw new Error('an ATR stop needs atr > 0');

  // Percentages in decimal: 1 + 14/100 in floating point is 1.1400000000000001, a tick too high on the grid.
  const abovePct = (pct: number) => entry.mul(new Decimal(pct).div(100).plus(1));
  const stopDistance =
    config.stopMode === 'atr'
      ? atr.mul(config.stopAtrMultiple)
      : config.stopMode === 'pct'
        ? entry.mul(config.stopPct).div(100)
        : null;
  const ladder = config.takeProfit.map((rung) => ({
    level: askLevel(market, abovePct(rung.atPct)).toFixed(),
    fraction: rung.fraction,
    done: false,
  }));
  return {
    market,
    entryPrice: entry.toFixed(),
    volume: volume.toFixed(),
    remaining: volume.toFixed(),
    openedTs: input.openedTs,
    minTotalKrw: minimumOrderTotal(input.minTotal ?? 5000).toFixed(),
    ...(stopDistance ? { stop: askLevel(market, entry.minus(stopDistance)).toFixed() } : {}),
    ladder,
    atr: atr.toFixed(),
    trailingAtrMultiple: config.trailingAtrMultiple,
    highest: entry.toFixed(),
    blowOffRsi: config.blowOffRsi,
    timeExitTs: config.timeExitBars > 0 ? input.openedTs + config.timeExitBars * config.barMs : 0,
    progressLevel: askLevel(market, abovePct(config.timeExitMinProgressPct)).toFixed(),
    done: false,
  };
}

/** Sets the volume actually still held (after real fills) — the plan never sells more than this. */
export function withRemainingVolume(plan: ExitPlan, remaining: DecimalInput): ExitPlan {
  const r = Decimal.max(0, floorVolume(remaining));
  return { ...plan, remaining: r.toFixed(), done: plan.done || r.isZero() };
}

function sell(
  plan: ExitPlan,
  kind: ExitTriggerKind,
  volume: Decimal,
  reason: string,
  level?: Decimal,
): { plan: ExitPlan; trigger: ExitTrigger } {
  const remaining = new Decimal(plan.remaining);
  const sold = Decimal.min(volume, remaining);
  const left = remaining.minus(sold);
  return {
    plan: { ...plan, remaining: left.toFixed(), done: left.isZero() },
    trigger: {
      kind,
      fraction: sold.div(remaining).toNumber(),
      volume: sold.toFixed(8),
      reason,
      ...(level ? { level: level.toFixed() } : {}),
    },
  };
}

/**
 * A positive ATR as the plan keeps it (`toFixed()`), or null for one that is not. A number (every closed bar of a
 * backtest) becomes its decimal string without building a Decimal.
 */
function positiveAtr(v: DecimalInput): string | null {
  if (typeof v === 'number') return v > 0 ? decimalStringOf(v) : null;
  const d = new Decimal(v);
  return d.gt(0) ? d.toFixed() : null;
}

function positive(v: DecimalInput): Decimal | null {
  try {
    const d = new Decimal(v);
    return d.isFinite() && d.gt(0) ? d : null;
  } catch {
    return null;
  }
}

/** A volume at least this many times the recent mean counts as a spike for the blow-off exit. */
export const BLOW_OFF_VOLUME_SPIKE = 2;

/** The indicators closedBarObservation reads from a closed bar (besides its close): all a position's guard computes. */
export const CLOSED_BAR_INDICATORS: readonly IndicatorName[] = ['rsi14', 'volumeSpike', 'atr'];

/**
 * What the exit plan learns when a bar of the entry timeframe closes: its close, RSI and volume spike (the
 * blow-off exit) and ATR (the trailing distance). High and low are the close, so no level is crossed twice:
 * the bar's range was seen price by price (live) or bar by bar (backtest) already. Live guards and the
 * backtester build it here, the same way.
 */
export function closedBarObservation(
  bar: { close: number; rsi14: number | null; volumeSpike: number | null; atr: number | null },
  ts: number,
): ExitObservation {
  return {
    price: bar.close,
    high: bar.close,
    low: bar.close,
    ts,
    rsi: bar.rsi14 ?? undefined,
    volumeSpike: bar.volumeSpike !== null && bar.volumeSpike >= BLOW_OFF_VOLUME_SPIKE,
    atr: bar.atr ?? undefined,
  };
}

/** A plan's levels as numbers, for the check that nothing can happen; null when a level would not compare exactly. */
interface PlanLevels {
  /** The higher of the hard and the trailing stop (-Infinity: none). */
  stop: number;
  highest: number;
  /** The lowest rung not taken yet (Infinity: none). */
  nextRung: number;
}

/**
 * Levels by the plan's ladder (plans are replaced, never changed: an ATR refresh copies the plan, ladder included),
 * with the fields they were read from: a plan with the same ladder and fields has the same levels.
 */
const levelsOf = new WeakMap<
  ExitPlan['ladder'],
  Pick<ExitPlan, 'stop' | 'trailingStop' | 'highest' | 'remaining'> & { levels: PlanLevels | null }
>();

/**
 * A decimal string that a double represents exactly enough to compare: the shortest form of its own double (what
 * String gives, and the decimal decimal.js reads a double as), or at most 15 significant digits (every such decimal
 * is that shortest form). Rounding to the nearest double keeps order, and each double has one shortest form, so two
 * such decimals compare as their doubles do: a bar's high kept with all 17 digits still takes the shortcut.
 */
function exactNumber(s: string): number | null {
  const x = Number(s);
  if (String(x) === s) return x;
  const digits = s.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return /^\d{0,15}$/.test(digits) ? x : null;
}

function planLevels(plan: ExitPlan): PlanLevels | null {
  const hit = levelsOf.get(plan.ladder);
  if (
    hit !== undefined &&
    hit.stop === plan.stop &&
    hit.trailingStop === plan.trailingStop &&
    hit.highest === plan.highest &&
    hit.remaining === plan.remaining
  )
    return hit.levels;
  const hard = plan.stop !== undefined ? exactNumber(plan.stop) : Number.NEGATIVE_INFINITY;
  const trailing = plan.trailingStop ? exactNumber(plan.trailingStop) : Number.NEGATIVE_INFINITY;
  const highest = exactNumber(plan.highest);
  let nextRung = Number.POSITIVE_INFINITY;
  let exact = hard !== null && trailing !== null && highest !== null;
  for (const r of plan.ladder) {
    if (r.done) continue;
    const level = exactNumber(r.level);
    if (level === null) exact = false;
    else nextRung = Math.min(nextRung, level);
  }
  // Nothing held left (a plan not marked done yet): the full path marks it.
  if (!(Number(plan.remaining) > 0)) exact = false;
  const levels = exact ? { stop: Math.max(hard!, trailing!), highest: highest!, nextRung } : null;
  const { stop, trailingStop, highest: highestKept, remaining } = plan;
  levelsOf.set(plan.ladder, { stop, trailingStop, highest: highestKept, remaining, levels });
  return levels;
}

/**
 * What `obs`, its ATR aside, can change in the plan, when that is little: nothing ('none': no level crossed, no new
 * high, no blow-off or time exit to look at), or only the highest price (a double: a new high that crosses no rung or
 * stop). Null otherwise: the decimal path decides. Numbers only, so the backtester's every-bar check of a held position
 * parses no decimal.
 */
function quietMove(plan: ExitPlan, obs: ExitObservation): 'none' | number | null {
  const { price, high, low, ts } = obs;
  if (typeof price !== 'number' || typeof high !== 'number' || typeof low !== 'number') return null;
  if (!(price > 0 && high > 0 && low > 0 && Number.isFinite(ts))) return null; // the full path says what is wrong
  if (plan.timeExitTs > 0 && ts >= plan.timeExitTs) return null;
  if (plan.blowOffRsi > 0 && obs.rsi !== undefined && obs.rsi > plan.blowOffRsi && obs.volumeSpike) return null;
  const levels = planLevels(plan);
  if (!levels) return null;
  const top = Math.max(high, price);
  const bottom = Math.min(low, price);
  if (!(bottom > levels.stop && top < levels.nextRung)) return null;
  return top <= levels.highest ? 'none' : top;
}

/** Advances the plan by one observation (a price, or a bar's high/low/close) and says what to sell, if anything. */
export function updateExitPlan(plan: ExitPlan, obs: ExitObservation): ExitUpdate {
  if (plan.done) return { plan };
  const move =
    obs.atr === undefined || !plan.trailingStop || !(plan.trailingAtrMultiple > 0) ? quietMove(plan, obs) : null;
  if (move === 'none') {
    // A closed bar's observation crossing nothing only refreshes the ATR (with no trailing stop to move, as the full
    // path would do): the levels stay what they were. A plan without a trailing multiple never reads its ATR again.
    if (obs.atr === undefined || !(plan.trailingAtrMultiple > 0)) return { plan };
    const atr = positiveAtr(obs.atr);
    if (atr === null) return { plan };
    return { plan: { ...plan, atr } };
  }
  // Only a new high, in a plan without a trailing stop to raise or an ATR to refresh: the full path writes the high
  // as decimal.js writes the double (its shortest form, which is String's below 1e21 and from 1e-6 on).
  if (typeof move === 'number' && !(plan.trailingAtrMultiple > 0)) {
    const highest = String(move);
    if (!highest.includes('e')) return { plan: { ...plan, highest } };
  }
  return updateExitPlanExactly(plan, obs);
}

/** updateExitPlan without the shortcut for observations that change nothing (the tests compare the two). */
export function updateExitPlanExactly(plan: ExitPlan, obs: ExitObservation): ExitUpdate {
  if (plan.done) return { plan };
  const remaining = new Decimal(plan.remaining);
  if (remaining.lte(0)) return { plan: { ...plan, done: true } };
  const [price, rawHigh, rawLow] = [obs.price, obs.high, obs.low].map(positive);
  if (!price || !rawHigh || !rawLow || !Number.isFinite(obs.ts))
    throw new Error(
      `updateExitPlan: price, high and low must be positive numbers and ts finite, got ${JSON.stringify({ price: obs.price, high: obs.high, low: obs.low, ts: obs.ts })}`,
    );
  const high = Decimal.max(rawHigh, price);
  const low = Decimal.min(rawLow, price);

  // 1. Stop (hard or trailing), against the levels in force before this observation. A plan may have neither.
  const hard = plan.stop !== undefined ? new Decimal(plan.stop) : null;
  const trailing = plan.trailingStop ? new Decimal(plan.trailingStop) : null;
  const stop = trailing && (!hard || trailing.gt(hard)) ? trailing : hard;
  if (stop && low.lte(stop)) {
    const kind = stop === trailing ? 'trailing' : 'stop';
    return sell(
      plan,
      kind,
      remaining,
      `${kind === 'trailing' ? 'trailing stop' : 'stop'}: low ${low} <= ${stop}`,
      stop,
    );
  }

  let next: ExitPlan = { ...plan };
  // Only the trailing stop reads the ATR after entry: a plan without one keeps the entry's.
  const atr = obs.atr === undefined || !(next.trailingAtrMultiple > 0) ? null : positiveAtr(obs.atr);
  if (atr !== null) next.atr = atr;
  if (high.gt(next.highest)) next.highest = high.toFixed();

  // 2. Blow-off top: overbought on a volume spike, take everything.
  if (next.blowOffRsi > 0 && obs.rsi !== undefined && obs.rsi > next.blowOffRsi && obs.volumeSpike)
    return sell(
      next,
      'blow_off',
      remaining,
      `blow-off: RSI ${obs.rsi.toFixed(1)} > ${next.blowOffRsi} with a volume spike`,
    );

  // 3. Take-profit ladder: every rung the high reached, in one sale.
  const reached = next.ladder.map((r, i) => (!r.done && high.gte(r.level) ? i : -1)).filter((i) => i >= 0);
  if (reached.length) {
    const ladder = next.ladder.map((r, i) => (reached.includes(i) ? { ...r, done: true } : r));
    const top = new Decimal(next.ladder[reached[reached.length - 1]].level);
    const lastRung = ladder.every((r) => r.done);
    const share = reached.reduce((s, i) => s + next.ladder[i].fraction, 0);
    let volume = lastRung ? remaining : Decimal.min(remaining, floorVolume(new Decimal(next.volume).mul(share)));
    // A slice or a remainder below the minimum order total could never be sold on its own: sell it all now.
    const min = new Decimal(next.minTotalKrw);
    if (volume.mul(price).lt(min) || remaining.minus(volume).mul(price).lt(min)) volume = remaining;
    next = { ...next, ladder };
    next = trail(next);
    return sell(next, 'take_profit', volume, `take-profit: high ${high} >= ${top}`, top);
  }
  if (next.trailingStop) next = trail(next);

  // 4. Time exit: too long without progress.
  if (next.timeExitTs > 0 && obs.ts >= next.timeExitTs && price.lt(next.progressLevel))
    return sell(
      next,
      'time',
      remaining,
      `time: ${new Date(next.timeExitTs).toISOString()} passed and price ${price} < ${next.progressLevel}`,
    );
  return { plan: next };
}

/** Raises the trailing stop to highest - k x ATR (ask grid); it never falls. */
function trail(plan: ExitPlan): ExitPlan {
  if (!(plan.trailingAtrMultiple > 0) || new Decimal(plan.atr).lte(0)) return plan;
  const raw = new Decimal(plan.highest).minus(new Decimal(plan.atr).mul(plan.trailingAtrMultiple));
  if (raw.lte(0)) return plan;
  const level = askLevel(plan.market, raw);
  if (plan.trailingStop && level.lte(plan.trailingStop)) return plan;
  return { ...plan, trailingStop: level.toFixed() };
}
