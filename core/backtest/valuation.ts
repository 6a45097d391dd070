// The backtest account's valuation at a decision, cheap when nothing needs it exactly. The exact figures are the
// decimal.js ones (20 significant digits): cash + volume x last close over what is held, and the account view built
// from them. A held account changes value at every bar, and those decimal operations, string conversions and parses
// were about a third of an RSI backtest. Here the sum is first taken in double-double arithmetic (about 32 digits)
// with a bound on how far the decimal result can lie from it; the equity point (the decimal's nearest double) and the
// risk state's "still below today's peak" are decided from that whenever the bound allows, and the decimals are
// computed only otherwise (a new peak, a new day, near a double's rounding midpoint or the drawdown limit). The
// results are the decimals' results, to the bit (test/backtest/reference.test.ts, valuation.test.ts).
import Decimal from 'decimal.js';
import type { AccountView } from '../decision';
import type { Candle } from '../market';
import type { EquityEstimate } from '../risk';

/** What the valuation reads of a run: its cash, positions and resting bids. */
export interface ValuedRun {
  cash: Decimal;
  feeRate: Decimal;
  positions: Map<string, { market: string; volume: Decimal; volumeSplit?: Split }>;
  pendingBuys: Map<string, { market: string; totalKrw: Decimal; filled: { volume: Decimal } | null }>;
  /** The last flat account (Valuation.account) and the cash as a double, kept while the cash is the same. */
  flatAccount?: BacktestAccount;
  cashNumber?: { cash: Decimal; value: number };
  cashSplit?: Split;
}

/** A decimal (`of`) as a double-double, kept beside the field holding it while the field holds that decimal. */
export interface Split {
  of: Decimal;
  hi: number;
  lo: number;
}

/** Nothing held and no bid resting: the equity is the cash. */
function isFlat(run: ValuedRun): boolean {
  return run.positions.size === 0 && run.pendingBuys.size === 0;
}

/** What is held at the last closes, positions first, then what resting bids bought: [market, KRW value]. */
type Holdings = [string, Decimal][];

/** Where an account's holdings come from, computed when first asked. */
interface HoldingsSource {
  holdings(): Holdings;
}

function holdingsOf(run: ValuedRun, lastBar: Map<string, Candle>): Holdings {
  const out: Holdings = [];
  for (const pos of run.positions.values()) out.push([pos.market, pos.volume.mul(lastBar.get(pos.market)?.close ?? 0)]);
  for (const order of run.pendingBuys.values())
    if (order.filled) out.push([order.market, order.filled.volume.mul(lastBar.get(order.market)?.close ?? 0)]);
  return out;
}

function equityOf(run: ValuedRun, holdings: Holdings): Decimal {
  let equity = run.cash;
  for (const [, value] of holdings) equity = equity.plus(value);
  return equity;
}

/**
 * The account as an exchange would show it: coins at the last close, KRW locked in resting bids with the fee. The
 * figures are computed when first read (most decisions have no candidate to size, and the equity estimate often
 * serves onEquity), or when fixed. As JSON it is the plain AccountView.
 */
export class BacktestAccount implements AccountView {
  readonly #run: ValuedRun;
  readonly #holdings: HoldingsSource;
  #figures: { free: Decimal; exposure: Decimal; coins: Map<string, Decimal>; equityKrw: string } | undefined;
  #freeKrw: string | undefined;
  #exposureKrw: string | undefined;
  #coinExposureKrw: Record<string, string> | undefined;

  /** The cash it was made from. */
  readonly cash: Decimal;
  /** The equity within a bound, when it was valued that way (onEquity then often needs no decimal). */
  readonly equityEstimate: EquityEstimate | undefined;

  constructor(run: ValuedRun, holdings: HoldingsSource, estimate?: EquityEstimate) {
    this.cash = run.cash;
    this.#run = run;
    this.#holdings = holdings;
    this.equityEstimate = estimate;
  }

  /** Computes the figures now (see Valuation.account). */
  fix(): void {
    this.#compute();
  }

  #compute() {
    if (this.#figures) return this.#figures;
    const run = this.#run;
    const coins = new Map<string, Decimal>();
    for (const [market, value] of this.#holdings.holdings()) {
      const before = coins.get(market);
      // A first value as it is: 0 + value would round it to the precision, which a product already has.
      coins.set(market, before === undefined ? value : before.plus(value));
    }
    let locked = new Decimal(0);
    for (const order of run.pendingBuys.values()) locked = locked.plus(order.totalKrw.mul(run.feeRate.plus(1)));
    let exposure = locked;
    for (const value of coins.values()) exposure = exposure.plus(value);
    const free = Decimal.max(0, this.cash.minus(locked));
    this.#figures = { free, exposure, coins, equityKrw: free.plus(exposure).toFixed() };
    return this.#figures;
  }

  get equityKrw(): string {
    return this.#compute().equityKrw;
  }

  get freeKrw(): string {
    this.#freeKrw ??= this.#compute().free.toFixed();
    return this.#freeKrw;
  }

  get exposureKrw(): string {
    this.#exposureKrw ??= this.#compute().exposure.toFixed();
    return this.#exposureKrw;
  }

  get coinExposureKrw(): Record<string, string> {
    if (this.#coinExposureKrw === undefined) {
      const out: Record<string, string> = {};
      for (const [market, value] of this.#compute().coins) out[market] = value.toFixed();
      this.#coinExposureKrw = out;
    }
    return this.#coinExposureKrw;
  }

  toJSON(): AccountView {
    return {
      equityKrw: this.equityKrw,
      freeKrw: this.freeKrw,
      exposureKrw: this.exposureKrw,
      coinExposureKrw: this.coinExposureKrw,
    };
  }
}

// --- Double-double arithmetic (Dekker, Knuth): a value as hi + lo, the pair about 106 bits exact. ---

const SPLITTER = 134_217_729; // 2^27 + 1

/** a x b exactly, as [product, error] (no overflow at KRW magnitudes). */
function twoProduct(a: number, b: number, out: Float64Array): void {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  out[0] = p;
  out[1] = ah * bh - p + ah * bl + al * bh + al * bl;
}

/** The double-double of a decimal: its nearest double and the rest (the double's exact binary value subtracted). */
export function doubleDoubleOf(d: Decimal): [number, number] {
  const hi = d.toNumber();
  if (!Number.isFinite(hi)) return [hi, 0];
  // The rest in two parts: d less hi's shortest decimal form (two close decimals: a short difference, exact), and that
  // form less hi's binary value (decimalRest, to about 1e-16 of itself). Both far inside estimate's 1e-26 margin.
  const rest = decimalRest(hi);
  if (!Number.isNaN(rest)) return [hi, d.minus(String(hi)).toNumber() + rest];
  // toPrecision(100) writes a double's binary value out exactly (it has fewer significant digits than that).
  return [hi, d.minus(new Decimal(hi.toPrecision(100))).toNumber()];
}

/** Cash and volumes change only at fills: each is split once, the split kept beside it. */
function splitOf(d: Decimal, kept: Split | undefined): Split {
  if (kept?.of === d) return kept;
  const [hi, lo] = doubleDoubleOf(d);
  return { of: d, hi, lo };
}

const scratch = new Float64Array(2);
const bits = new Float64Array(1);
const bitsInt = new BigInt64Array(bits.buffer);

/** The next double above (+1) or below (-1) a positive finite x. */
function adjacent(x: number, direction: 1 | -1): number {
  bits[0] = x;
  bitsInt[0] += BigInt(direction);
  return bits[0];
}

/**
 * The double nearest to a value known to lie within `err` of hi + lo (|lo| <= half an ulp of hi), or null when that
 * interval reaches a midpoint between two doubles (then only the exact value can say).
 */
export function nearestDouble(hi: number, lo: number, err: number): number | null {
  if (!(hi > 0 && Number.isFinite(hi))) return null;
  const up = (adjacent(hi, 1) - hi) / 2;
  const down = (hi - adjacent(hi, -1)) / 2;
  return lo + err < up && lo - err > -down ? hi : null;
}

/**
 * The valuation of a run at a decision. Lazy: `equityNumber` (the equity point), `account` and its
 * `equityEstimate` compute decimals only when the double-double bound cannot answer.
 */
export class Valuation implements HoldingsSource {
  readonly #run: ValuedRun;
  readonly #lastBar: Map<string, Candle>;
  #holdings: Holdings | undefined;
  #equity: Decimal | undefined;
  /** The equity as hi + lo within err (hi NaN: not estimated, the decimals decide everything). */
  readonly #hi: number = Number.NaN;
  readonly #lo: number = 0;
  readonly #err: number = 0;

  constructor(run: ValuedRun, lastBar: Map<string, Candle>) {
    this.#run = run;
    this.#lastBar = lastBar;
    if (run.positions.size > 0 && run.pendingBuys.size === 0 && estimate(run, lastBar, false)) {
      this.#hi = estimated[0];
      this.#lo = estimated[1];
      this.#err = estimated[2];
    }
  }

  /** What is held, valued in decimals (positions first, then what resting bids bought). */
  holdings(): Holdings {
    this.#holdings ??= holdingsOf(this.#run, this.#lastBar);
    return this.#holdings;
  }

  /** cash + holdings in decimals, in that order. */
  equity(): Decimal {
    this.#equity ??= equityOf(this.#run, this.holdings());
    return this.#equity;
  }

  /** The equity as a double: the decimal's nearest, which with nothing held is the cash's, converted once. */
  equityNumber(): number {
    const run = this.#run;
    if (isFlat(run)) {
      if (run.cashNumber?.cash !== run.cash) run.cashNumber = { cash: run.cash, value: run.cash.toNumber() };
      return run.cashNumber.value;
    }
    if (Number.isNaN(this.#hi)) return this.equity().toNumber();
    return (
      nearestDouble(this.#hi, this.#lo, this.#err) ??
      // Near a rounding midpoint, first the closes' own decimal forms narrow the bound (see estimate).
      (estimate(run, this.#lastBar, true) ? nearestDouble(estimated[0], estimated[1], estimated[2]) : null) ??
      this.equity().toNumber()
    );
  }

  /**
   * The account at the decision; a flat one (nothing held, no bid resting) stays the same while the cash does.
   * `fixed`: its figures computed now, for a caller that keeps it past the decision (an observer), when the run has
   * moved on; otherwise they are computed from the run when first read, which must be within the decision.
   */
  account(options: { fixed: boolean }): BacktestAccount {
    const run = this.#run;
    const flat = isFlat(run);
    if (flat && run.flatAccount?.cash === run.cash) return run.flatAccount;
    const estimate = Number.isNaN(this.#hi)
      ? undefined
      : new AccountEstimate(this.#hi, Math.abs(this.#lo) + this.#err, run, this.#lastBar);
    const account = new BacktestAccount(run, this, estimate);
    estimate?.of(account);
    if (flat) run.flatAccount = account;
    if (options.fixed) account.fix();
    return account;
  }
}

/** An account's equity as its estimate (Valuation's bound), the exact figure read from the account on demand. */
class AccountEstimate implements EquityEstimate {
  #account: BacktestAccount | undefined;

  constructor(
    readonly approx: number,
    readonly error: number,
    private readonly run: ValuedRun,
    private readonly lastBar: Map<string, Candle>,
  ) {}

  /** The account it estimates (made after it). */
  of(account: BacktestAccount): void {
    this.#account = account;
  }

  exactKrw(): string {
    return this.#account!.equityKrw;
  }

  keepExact(): () => string {
    return keptEquityKrw(this.run, this.lastBar);
  }
}

/**
 * The account's equityKrw as it is now, computed later when asked: what it reads of the run (the cash, the positions'
 * volumes, the resting bids and the last closes of their markets) is copied now, flat; the decimals and candles
 * themselves are never changed, only replaced.
 */
function keptEquityKrw(run: ValuedRun, lastBar: Map<string, Candle>): () => string {
  const { cash, feeRate } = run;
  const positions: [string, Decimal, Candle | undefined][] = [];
  for (const pos of run.positions.values()) positions.push([pos.market, pos.volume, lastBar.get(pos.market)]);
  const bids = [...run.pendingBuys.values()].map((o) => ({
    market: o.market,
    totalKrw: o.totalKrw,
    filled: o.filled && { volume: o.filled.volume },
    bar: lastBar.get(o.market),
  }));
  return () => {
    const kept: ValuedRun = { cash, feeRate, positions: new Map(), pendingBuys: new Map() };
    const bars = new Map<string, Candle>();
    for (const [market, volume, bar] of positions) {
      kept.positions.set(market, { market, volume });
      if (bar) bars.set(market, bar);
    }
    bids.forEach((b, i) => {
      kept.pendingBuys.set(String(i), b);
      if (b.bar) bars.set(b.market, b.bar);
    });
    return new BacktestAccount(kept, { holdings: () => holdingsOf(kept, bars) }).equityKrw;
  };
}

/** Powers of ten exactly (written as literals: each parses to the exact double). */
const POWERS_OF_TEN = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];

/**
 * How far the decimal decimal.js reads a double as (its shortest form, String(x)) lies above the double's binary
 * value, to about 1e-16 of that difference; NaN when the form has too many digits to say (or an exponent).
 * n / 10^k - x, with x * 10^k taken exactly (twoProduct) and n - (x * 10^k) exact by Sterbenz's lemma.
 */
export function decimalRest(x: number): number {
  const s = String(x);
  const dot = s.indexOf('.');
  // An integer's form is its exact value only up to 2^53 (past it, String gives the shortest form that reads back).
  if (dot < 0) return Number.isInteger(x) && Math.abs(x) <= 2 ** 53 ? 0 : Number.NaN;
  const k = s.length - dot - 1;
  if (k >= POWERS_OF_TEN.length || s.includes('e')) return Number.NaN;
  const n = Number(s.slice(0, dot) + s.slice(dot + 1));
  if (!(Math.abs(n) < 2 ** 53)) return Number.NaN;
  const p = POWERS_OF_TEN[k];
  twoProduct(x, p, scratch);
  return (n - scratch[0] - scratch[1]) / p;
}

/**
 * cash + volume x close over the positions in double-double, and a bound on how far both decimal results (the
 * equity, and the account's free + exposure) can lie from it. Each decimal operation rounds to 20 significant
 * digits, within 5e-20 of its result; the bound allows 1e-19 of the largest sum per operation, twice over. A close
 * is read by decimal.js as its shortest decimal form, which for a non-integer is not the double's binary value: that
 * difference is at most half an ulp of the close, and a whole ulp times the volume is added to the bound; or, with
 * `exactCloses`, the difference itself (decimalRest) joins the sum, leaving a bound a few thousand times tighter
 * (worth its string conversions only when the first bound sits on a rounding midpoint).
 */
function estimate(run: ValuedRun, lastBar: Map<string, Candle>, exactCloses: boolean): boolean {
  if (run.cash.isNeg()) return false;
  run.cashSplit = splitOf(run.cash, run.cashSplit);
  let { hi, lo } = run.cashSplit;
  let magnitude = Math.abs(hi);
  let closeErr = 0;
  for (const pos of run.positions.values()) {
    const close = lastBar.get(pos.market)?.close;
    if (close === undefined || !(close > 0) || !Number.isFinite(close)) return false;
    pos.volumeSplit = splitOf(pos.volume, pos.volumeSplit);
    const { hi: vh, lo: vl } = pos.volumeSplit;
    twoProduct(vh, close, scratch);
    const p = scratch[0];
    let pe = scratch[1] + vl * close;
    // An integer close up to 2^53 is read exactly; past it (absurd, but a candle may carry it) its form is not.
    if (!(Number.isInteger(close) && close <= 2 ** 53)) {
      const rest = exactCloses ? decimalRest(close) : Number.NaN;
      if (Number.isNaN(rest)) closeErr += Math.abs(vh) * (adjacent(close, 1) - close);
      else {
        pe += vh * rest + vl * rest;
        closeErr += Math.abs(vh * rest) * 2 ** -40;
      }
    }
    // (hi, lo) + (p, pe): two-sum of the high parts, then the low parts folded in.
    const s = hi + p;
    const bb = s - hi;
    const e = hi - (s - bb) + (p - bb) + lo + pe;
    hi = s + e;
    lo = e - (hi - s);
    magnitude += Math.abs(p);
  }
  // Either decimal order (equityOf; the account's exposure, then free + exposure) takes 2 operations per position
  // (product and sum) and at most 2 more.
  const ops = 2 * run.positions.size + 2;
  estimated[0] = hi;
  estimated[1] = lo;
  estimated[2] = 2 * ops * 1e-19 * magnitude + closeErr + 1e-26 * magnitude;
  return true;
}

/** estimate's result: hi, lo, err (read at once by the caller). */
const estimated = new Float64Array(3);
