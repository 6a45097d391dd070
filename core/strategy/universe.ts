// The tradable universe: KRW markets without warnings or delisting, liquid enough (30-day average
// traded value, then the top N by 24h traded value) and with a sane spread. Pure over the exchange's
// market list, tickers and order books; the input shapes are the subset of Upbit's fields it reads.

/** `/market/all?is_details=true` row (subset). */
export interface UniverseMarket {
  market: string;
  market_event?: { warning: boolean; caution: Record<string, boolean> };
}

/** `/ticker` row (subset); `market_state`/`delisting_date` come from the WebSocket ticker when available. */
export interface UniverseTicker {
  market: string;
  trade_price: number;
  acc_trade_price_24h: number;
  market_state?: string;
  delisting_date?: string | null;
}

/** `/orderbook` row (subset). */
export interface UniverseOrderbook {
  market: string;
  orderbook_units: { ask_price: number; bid_price: number }[];
}

export interface UniverseInput {
  markets: UniverseMarket[];
  tickers: UniverseTicker[];
  orderbooks?: UniverseOrderbook[];
  /** Traded KRW per day (newest last) per market, e.g. the `day` candles' `value`; enables the 30-day filter. */
  dailyValues?: Record<string, number[]>;
  /** How many markets to keep (top by 24h traded value). */
  size: number;
  /** Markets excluded whatever their figures (e.g. stablecoins). */
  exclude?: string[];
  /** Minimum 30-day average daily traded value in KRW (default 1,000,000,000). */
  minAvgDailyValueKrw?: number;
  /** Minimum 24h traded value in KRW (default 500,000,000). */
  min24hValueKrw?: number;
  /** Widest best-ask/best-bid spread allowed, in % of mid (default 0.3). */
  maxSpreadPct?: number;
  /** Drop markets under a caution flag too, not only under a warning (default true). */
  excludeCaution?: boolean;
}

export interface UniverseRow {
  market: string;
  value24hKrw: number;
  avgDailyValueKrw: number | null;
  spreadPct: number | null;
}

export interface UniverseScreen {
  /** Chosen markets, most traded first. */
  selected: UniverseRow[];
  /** Every other KRW market with the first reason it was left out. */
  excluded: { market: string; reason: string }[];
}

export function screenUniverse(input: UniverseInput): UniverseScreen {
  const minAvg = input.minAvgDailyValueKrw ?? 1_000_000_000;
  const min24h = input.min24hValueKrw ?? 500_000_000;
  const maxSpread = input.maxSpreadPct ?? 0.3;
  const excludeCaution = input.excludeCaution ?? true;
  const tickers = new Map(input.tickers.map((t) => [t.market, t]));
  const books = new Map((input.orderbooks ?? []).map((b) => [b.market, b]));
  const excludedByName = new Set(input.exclude ?? []);
  const excluded: UniverseScreen['excluded'] = [];
  const eligible: UniverseRow[] = [];

  for (const m of input.markets) {
    if (!m.market.startsWith('KRW-')) continue;
    const why = (reason: string) => excluded.push({ market: m.market, reason });
    if (excludedByName.has(m.market)) {
      why('excluded by configuration');
      continue;
    }
    if (m.market_event?.warning) {
      why('investment warning');
      continue;
    }
    const cautions = Object.entries(m.market_event?.caution ?? {})
      .filter(([, on]) => on)
      .map(([k]) => k);
    if (excludeCaution && cautions.length) {
      why(`caution: ${cautions.join(', ')}`);
      continue;
    }
    const t = tickers.get(m.market);
    if (!t) {
      why('no ticker');
      continue;
    }
    if ((t.market_state && t.market_state !== 'ACTIVE') || t.delisting_date) {
      why(`delisting: state ${t.market_state ?? '?'}${t.delisting_date ? `, date ${t.delisting_date}` : ''}`);
      continue;
    }
    if (!(t.acc_trade_price_24h >= min24h)) {
      why(`24h traded value ${Math.round(t.acc_trade_price_24h)} KRW < ${min24h}`);
      continue;
    }
    const days = input.dailyValues?.[m.market]?.slice(-30);
    const avg = days?.length ? days.reduce((s, v) => s + v, 0) / days.length : null;
    if (avg !== null && avg < minAvg) {
      why(`30-day average traded value ${Math.round(avg)} KRW < ${minAvg}`);
      continue;
    }
    const best = books.get(m.market)?.orderbook_units[0];
    let spreadPct: number | null = null;
    if (best) {
      const mid = (best.ask_price + best.bid_price) / 2;
      spreadPct = mid > 0 ? ((best.ask_price - best.bid_price) / mid) * 100 : null;
      if (spreadPct === null || spreadPct < 0 || spreadPct > maxSpread) {
        why(
          `spread ${spreadPct === null ? 'unknown' : spreadPct.toFixed(3)}% (bid ${best.bid_price}, ask ${best.ask_price}) outside 0..${maxSpread}%`,
        );
        continue;
      }
    }
    eligible.push({ market: m.market, value24hKrw: t.acc_trade_price_24h, avgDailyValueKrw: avg, spreadPct });
  }

  // Most traded first; ties by name so the choice never depends on input order.
  eligible.sort((a, b) => b.value24hKrw - a.value24hKrw || (a.market < b.market ? -1 : 1));
  const size = Math.max(0, Math.floor(input.size));
  for (const row of eligible.slice(size))
    excluded.push({ market: row.market, reason: `outside the top ${size} by 24h value` });
  return { selected: eligible.slice(0, size), excluded };
}

/** Market codes of the universe, most traded first. */
export function selectUniverse(input: UniverseInput): string[] {
  return screenUniverse(input).selected.map((r) => r.market);
}
