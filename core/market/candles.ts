// What a candle is, how to tell a usable one from a broken one, and where its time bucket starts.

/** One OHLCV bar. `ts` is the bar's open time in UTC milliseconds; `value` is traded KRW when known. */
export type Candle = {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  value?: number;
};

/**
 * Candles of one market as columns, ascending by ts: about 50 bytes a bar where a Candle object takes about 100,
 * and nothing for the garbage collector to trace (a year of 1-minute bars of ten markets is 5.26 M bars).
 * `value` (traded KRW) is optional as in Candle: the column is there when some bar has it, NaN where a bar has
 * none (no valid candle has a NaN value, see checkCandle).
 */
export type CandleColumns = {
  ts: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  value?: Float64Array;
};

/** A Candle, with `value` only when given. The CSV and database loaders build theirs here: see below for why. */
export function newCandle(
  ts: number,
  open: number,
  high: number,
  low: number,
  close: number,
  volume: number,
  value?: number,
): Candle {
  // `value` added after the literal: the bare RSI backtest on the real 60-minute candles ran faster over candles of
  // this shape than over seven-field literals (the same candles copied into either shape, 48 runs each: 0.390 s
  // against 0.421 s at best).
  const c: Candle = { ts, open, high, low, close, volume };
  if (value !== undefined) c.value = value;
  return c;
}
// V8 keeps each field's representation (small integer or double) on the shape the candles share, and widens it at the
// first value that does not fit. Widening from small integers to doubles retires the shape: every candle built
// before is converted one by one when it is next read. Loading the real 60-minute candles, the first fractional
// price came after 83,713 whole-won ones (KRW-BTC, KRW-ETH, then KRW-XRP), and the backtest spent about 0.1 s of its
// first run converting them. Candles built here with fractional fields first start the shape with double fields.
newCandle(0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5);

/**
 * Bar `i` of candle columns as a Candle (a new object: the consumers may keep it). Seven-field literals, not
 * newCandle: built for every bar of a columnar backtest, a candle whose `value` is added after the literal made a
 * year of 1-minute pullback on 10 markets 1.3x slower (5.5 s against 3.9 to 4.2 s).
 */
export function candleAt(c: CandleColumns, i: number): Candle {
  return c.value === undefined || Number.isNaN(c.value[i])
    ? { ts: c.ts[i], open: c.open[i], high: c.high[i], low: c.low[i], close: c.close[i], volume: c.volume[i] }
    : {
        ts: c.ts[i],
        open: c.open[i],
        high: c.high[i],
        low: c.low[i],
        close: c.close[i],
        volume: c.volume[i],
        value: c.value[i],
      };
}

/**
 * Candles as columns, candleAt's inverse. `shared`: on SharedArrayBuffers, so threads read them without a copy
 * (a worker thread's message then carries the columns, not their bytes).
 */
export function candleColumns(candles: readonly Candle[], opts: { shared?: boolean } = {}): CandleColumns {
  const n = candles.length;
  const column = () => new Float64Array(opts.shared ? new SharedArrayBuffer(n * 8) : new ArrayBuffer(n * 8));
  const c: CandleColumns = {
    ts: column(),
    open: column(),
    high: column(),
    low: column(),
    close: column(),
    volume: column(),
  };
  const value = candles.some((x) => x.value !== undefined) ? column() : undefined;
  for (let i = 0; i < n; i++) {
    const x = candles[i];
    c.ts[i] = x.ts;
    c.open[i] = x.open;
    c.high[i] = x.high;
    c.low[i] = x.low;
    c.close[i] = x.close;
    c.volume[i] = x.volume;
    if (value) value[i] = x.value ?? Number.NaN;
  }
  if (value) c.value = value;
  return c;
}

/** The bars of `c` with from <= ts < to, as views on the same memory (no copy). */
export function sliceColumns(c: CandleColumns, from: number, to: number): CandleColumns {
  const start = firstAtOrAfter(c.ts, from);
  const end = firstAtOrAfter(c.ts, to);
  const part: CandleColumns = {
    ts: c.ts.subarray(start, end),
    open: c.open.subarray(start, end),
    high: c.high.subarray(start, end),
    low: c.low.subarray(start, end),
    close: c.close.subarray(start, end),
    volume: c.volume.subarray(start, end),
  };
  if (c.value) part.value = c.value.subarray(start, end);
  return part;
}

/** Index of the first element of ascending `xs` at or after `t` (xs.length when none). */
function firstAtOrAfter(xs: Float64Array, t: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
/** Korea Standard Time is UTC+9 all year (no daylight saving). */
export const KST_OFFSET_MS = 9 * HOUR_MS;

export type CandleCheck = { ok: true; candle: Candle } | { ok: false; problems: string[] };

/**
 * True when the fields make a valid candle (what checkCandle accepts): numbers, an integer time >= 0, positive
 * prices with open and close within [low, high], finite high and volume >= 0, and a value (when given) >= 0. No
 * allocation: a backtest checks every bar of its data with it up front.
 */
export function isCandleBar(
  ts: unknown,
  open: unknown,
  high: unknown,
  low: unknown,
  close: unknown,
  volume: unknown,
  value: unknown,
): boolean {
  return (
    typeof ts === 'number' &&
    typeof open === 'number' &&
    typeof high === 'number' &&
    typeof low === 'number' &&
    typeof close === 'number' &&
    typeof volume === 'number' &&
    Number.isInteger(ts) &&
    ts >= 0 &&
    low > 0 &&
    high >= low &&
    open >= low &&
    open <= high &&
    close >= low &&
    close <= high &&
    volume >= 0 &&
    Number.isFinite(high) &&
    Number.isFinite(volume) &&
    (value === undefined || (typeof value === 'number' && value >= 0 && Number.isFinite(value)))
  );
}

/**
 * Checks a candle from any source (REST, WebSocket, CSV, simulator). Returns the typed candle, or every problem
 * found: non-numbers, a non-integer time, non-positive prices, negative volume, a high below the low, or an
 * open/close outside [low, high].
 */
export function checkCandle(raw: unknown): CandleCheck {
  if (typeof raw !== 'object' || raw === null) return { ok: false, problems: ['not an object'] };
  const { ts, open, high, low, close, volume, value } = raw as Record<string, number>;
  // Fast path, no allocation beyond the result: this runs for every candle of every warm-up.
  if (isCandleBar(ts, open, high, low, close, volume, value)) {
    const candle: Candle =
      value === undefined ? { ts, open, high, low, close, volume } : { ts, open, high, low, close, volume, value };
    return { ok: true, candle };
  }
  return { ok: false, problems: candleProblems(raw as Record<string, unknown>) };
}

/** Every reason a candle is unusable, in words (the slow path of checkCandle). */
function candleProblems(r: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const numbers: Record<string, number> = {};
  for (const key of ['ts', 'open', 'high', 'low', 'close', 'volume', 'value']) {
    const v = r[key];
    if (key === 'value' && v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) problems.push(`${key} is not a finite number (${String(v)})`);
    else numbers[key] = v;
  }
  if (problems.length > 0) return problems;
  const { ts, open, high, low, close, volume, value } = numbers;
  if (!Number.isInteger(ts) || ts < 0) problems.push(`ts ${ts} is not a non-negative integer of milliseconds`);
  for (const key of ['open', 'high', 'low', 'close']) {
    if (numbers[key] <= 0) problems.push(`${key} ${numbers[key]} is not positive`);
  }
  if (volume < 0) problems.push(`volume ${volume} is negative`);
  if (value !== undefined && value < 0) problems.push(`value ${value} is negative`);
  if (high < low) problems.push(`high ${high} is below low ${low}`);
  if (open > high || open < low) problems.push(`open ${open} is outside [low ${low}, high ${high}]`);
  if (close > high || close < low) problems.push(`close ${close} is outside [low ${low}, high ${high}]`);
  return problems;
}

/** Start of the fixed-length bucket holding `ts`, buckets aligned to 1970-01-01 00:00 UTC. */
export function utcBucketStart(ts: number, lengthMs: number): number {
  return Math.floor(ts / lengthMs) * lengthMs;
}

/** Start of the day holding `ts`, for days that begin at 00:00 in a zone `offsetMs` ahead of UTC. */
export function dayStart(ts: number, offsetMs: number): number {
  return Math.floor((ts + offsetMs) / DAY_MS) * DAY_MS - offsetMs;
}

/** Start of the KST day holding `ts`: 00:00 KST = 15:00 UTC of the previous UTC date. */
export function kstDayStart(ts: number): number {
  return dayStart(ts, KST_OFFSET_MS);
}

/**
 * Candles merged in runs of `per` consecutive bars (open of the first, high/low over the run, close of the last,
 * volume summed), `per` chosen as the smallest whole number that leaves at most `max` candles: a chart of a long
 * range keeps its shape without drawing every bar. Input oldest first; fewer than `max` bars come back as they are.
 */
export function mergeCandles(candles: Candle[], max: number): { per: number; candles: Candle[] } {
  if (!Number.isInteger(max) || max < 1) throw new Error(`max must be a whole number >= 1, got ${max}`);
  const per = Math.max(1, Math.ceil(candles.length / max));
  if (per === 1) return { per, candles };
  const out: Candle[] = [];
  for (let i = 0; i < candles.length; i += per) {
    const run = candles.slice(i, i + per);
    out.push({
      ts: run[0].ts,
      open: run[0].open,
      high: Math.max(...run.map((c) => c.high)),
      low: Math.min(...run.map((c) => c.low)),
      close: run[run.length - 1].close,
      volume: run.reduce((s, c) => s + c.volume, 0),
    });
  }
  return { per, candles: out };
}
