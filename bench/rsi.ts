// `npm run bench -- rsi [--csv-dir DIR]`
// The plain RSI strategy (RSI14 < 30 enter, > 70 exit, long only, 60m) backtested on the real 60-minute candles of
// six KRW markets when they are there (shared/data/upbit beside the checkout, or --csv-dir), otherwise on seeded
// synthetic 60-minute candles of the same size, once with the default risk config and once with its gates loosened
// to the bare rule, each first in a fresh process (cold) and then warm; prints bars, wall seconds, bars/s, trades,
// peak RSS and the load average, with the figures other backtesters gave on the same 196,667 real bars beside them.
// Last line: JSON.
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { type BacktestData, runBacktest } from '../core/backtest/engine';
import { syntheticCandles } from '../core/backtest/synthetic';
import { loadCandles } from '../scripts/backtest';

const MARKETS = ['KRW-BTC', 'KRW-ETH', 'KRW-XRP', 'KRW-SOL', 'KRW-DOGE', 'KRW-LINK'];
const REAL_BARS = 196_667; // the six real 60m files together
const HOUR = 3_600_000;
// Measured side by side on this 2-core machine on the same real bars and rule (issue "Speed").
const PEERS = { freqtrade: 9.0, 'backtesting.py': 1.3, vectorbt: 0.13, 'vectorbt JIT warm-up': 6 };

// The shared data sits in `shared/` beside the checkout (or beside the folder holding worktrees): look upwards.
function sharedCandleDir(): string {
  let d = dirname(import.meta.dirname);
  for (;;) {
    const candidate = join(dirname(d), 'shared/data/upbit');
    if (existsSync(candidate) || dirname(d) === d) return candidate;
    d = dirname(d);
  }
}

const { values } = parseArgs({ options: { 'csv-dir': { type: 'string' } } });
const dir = values['csv-dir'] ?? sharedCandleDir();
const present = existsSync(dir) ? MARKETS.filter((m) => existsSync(join(dir, `${m}_60m.csv`))) : [];

let source: string;
let data: BacktestData;
if (present.length > 0) {
  source = `real 60m candles in ${dir}`;
  data = { candles: loadCandles(dir, present, 'minute60', 0, Number.MAX_SAFE_INTEGER), timeframe: 'minute60' };
} else {
  source = 'synthetic 60m candles (no real candles found)';
  const bars = Math.ceil(REAL_BARS / MARKETS.length);
  data = {
    candles: syntheticCandles({
      seed: 15,
      markets: MARKETS,
      from: Date.parse('2022-01-01T00:00:00Z'),
      bars,
      barMs: HOUR,
    }),
    timeframe: 'minute60',
  };
}
const markets = Object.keys(data.candles);
const bars = Object.values(data.candles).reduce((s, c) => s + c.length, 0);
const loadBefore = loadavg().map((x) => Math.round(x * 100) / 100);

// The peers run the bare rule. The engine always applies an exit ladder and portfolio gates; this loosens them as far
// as the risk validator allows: no stop, no spike gate, a take-profit rung is required (1000 % here). Without a stop
// the whole entry counts as at risk, so 10 % per trade is a 10 % position.
const PEER_RULE_RISK = {
  riskPerTradePct: 10,
  maxOpenPositions: MARKETS.length,
  maxCoinWeightPct: 16,
  maxTotalExposurePct: 100,
  maxEntriesPerCoinPerDay: 100,
  dailyLossLimitPct: 100,
  maxDrawdownPct: 100,
  maxCorrelation: 1,
  volatilityHaltDropPct: 100,
  cooldownAfterLossMinutes: 0,
  edge: { feeMultiple: 0, atrMultiple: 0, slippagePct: 0 },
  dataQuality: { spikeGate: false },
  exit: {
    stopMode: 'none',
    takeProfit: [{ atPct: 1000, fraction: 1 }],
    trailingAtrMultiple: 0,
    blowOffRsi: 100,
    timeExitBars: 0,
  },
};

function timedRun(risk?: Record<string, unknown>) {
  const t0 = performance.now();
  const result = runBacktest({ strategyId: 'rsi', initialCashKrw: '100000000', risk }, data);
  return { result, seconds: (performance.now() - t0) / 1000 };
}
// The first run of each is what one backtest in a fresh process takes (the JIT compiles the engine on the way:
// the bare rule runs first and pays most of it). Then WARM_RUNS more of each: the fastest is the warm figure, what a
// worker that has run backtests before takes, and the figure comparable with vectorbt's after its JIT warm-up.
const WARM_RUNS = 4;
const loose = timedRun(PEER_RULE_RISK);
const { result: r, seconds } = timedRun();
let warmLoose = Number.POSITIVE_INFINITY;
let warm = Number.POSITIVE_INFINITY;
for (let i = 0; i < WARM_RUNS; i++) {
  warmLoose = Math.min(warmLoose, timedRun(PEER_RULE_RISK).seconds);
  warm = Math.min(warm, timedRun().seconds);
}

const loadAfter = loadavg().map((x) => Math.round(x * 100) / 100);
const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024); // maxRSS is in KiB
const barsPerSec = Math.round(bars / seconds);

console.log(`source: ${source}`);
console.log(`markets: ${markets.join(',')}, bars: ${bars}`);
console.log(
  `wall: ${seconds.toFixed(2)} s, ${barsPerSec} bars/s, trades: ${r.trades.length}, peak RSS: ${peakRssMb} MB`,
);
console.log(
  `with the engine's gates loosened to the peers' bare rule: ${loose.seconds.toFixed(2)} s, ${Math.round(bars / loose.seconds)} bars/s, trades: ${loose.result.trades.length}, rejected entries: ${JSON.stringify(loose.result.rejections)}`,
);
console.log(
  `warm (fastest of ${WARM_RUNS} more runs in this process): default ${warm.toFixed(3)} s, ${Math.round(bars / warm)} bars/s; bare rule ${warmLoose.toFixed(3)} s, ${Math.round(bars / warmLoose)} bars/s`,
);
console.log(`skipped evaluations: ${JSON.stringify(r.skipped)}, rejected entries: ${JSON.stringify(r.rejections)}`);
console.log(`load average (1/5/15 min): before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')}`);
console.log(
  `peers on the same ${REAL_BARS} real bars: ${Object.entries(PEERS)
    .map(([k, v]) => `${k} ~${v} s`)
    .join(', ')}`,
);
console.log(
  JSON.stringify({
    bench: 'rsi',
    source: present.length > 0 ? 'real' : 'synthetic',
    markets,
    bars,
    seconds,
    barsPerSec,
    trades: r.trades.length,
    bareRule: { seconds: loose.seconds, trades: loose.result.trades.length },
    warm: {
      runs: WARM_RUNS,
      seconds: warm,
      barsPerSec: Math.round(bars / warm),
      bareRuleSeconds: warmLoose,
      bareRuleBarsPerSec: Math.round(bars / warmLoose),
    },
    peakRssMb,
    loadAverage: { before: loadBefore, after: loadAfter },
    peersSeconds: PEERS,
  }),
);
