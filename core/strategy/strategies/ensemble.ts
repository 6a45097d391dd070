// Six-signal weighted ensemble: trend, 5-bar momentum, 5/20 MA swing, 0.1% scalping move, intraday
// change and high/low breakout each vote -1, 0 or +1 on 15m bars; the weighted mean buys above
// buyThreshold and sells (an exit intent) below sellThreshold.
import { clamp, round4 } from '../factors';
import { defaultsOf } from '../params';
import { dayOpen, returnOver, smaOf } from '../series';
import type { Intent, ParamSchema, Strategy, StrategyInput } from '../types';

export interface EnsembleParams {
  wTrend: number;
  wMomentum: number;
  wSwing: number;
  wScalp: number;
  wIntraday: number;
  wBreakout: number;
  momentumBars: number;
  scalpPct: number;
  breakoutBars: number;
  buyThreshold: number;
  sellThreshold: number;
}

const w = (what: string) =>
  ({
    type: 'number',
    minimum: 0,
    maximum: 3,
    step: 0.1,
    default: 1,
    description: `weight of the ${what} signal`,
  }) as const;

const schema: ParamSchema = {
  type: 'object',
  properties: {
    wTrend: w('trend (close vs 60m EMA50)'),
    wMomentum: w('n-bar momentum'),
    wSwing: w('5/20 moving-average swing'),
    wScalp: w('last-bar scalping move'),
    wIntraday: w('intraday change'),
    wBreakout: w('high/low breakout'),
    momentumBars: { type: 'integer', minimum: 2, maximum: 30, default: 5, description: 'bars of the momentum signal' },
    scalpPct: {
      type: 'number',
      minimum: 0.01,
      maximum: 2,
      step: 0.01,
      default: 0.1,
      description: 'last-bar move (%) that counts for the scalping signal',
    },
    breakoutBars: {
      type: 'integer',
      minimum: 5,
      maximum: 48,
      default: 20,
      description: 'bars whose high/low a close must break',
    },
    buyThreshold: {
      type: 'number',
      minimum: 0,
      maximum: 1,
      step: 0.05,
      default: 0.5,
      description: 'weighted vote that buys',
    },
    sellThreshold: {
      type: 'number',
      minimum: -1,
      maximum: 0,
      step: 0.05,
      default: -0.3,
      description: 'weighted vote that sells',
    },
  },
};

const vote = (x: number | null, band = 0) => (x === null ? 0 : x > band ? 1 : x < -band ? -1 : 0);

/** The six votes, each -1, 0 or +1. */
export function ensembleSignals(input: StrategyInput<EnsembleParams>) {
  const { snapshot, params: p, ts } = input;
  const f = snapshot.timeframes.minute15;
  const h = snapshot.timeframes.minute60;
  const closes = f.closes;
  const n = closes.length;
  const ma5 = smaOf(closes, 5);
  const ma20 = smaOf(closes, 20);
  const open = dayOpen(h, snapshot.timeframes.day, ts);
  const prevHigh = n > p.breakoutBars ? Math.max(...f.highs.slice(n - 1 - p.breakoutBars, n - 1)) : null;
  const prevLow = n > p.breakoutBars ? Math.min(...f.lows.slice(n - 1 - p.breakoutBars, n - 1)) : null;
  const last = n ? closes[n - 1] : f.close;
  return {
    trend: h.ema50 === null ? 0 : vote(h.close - h.ema50),
    momentum: vote(returnOver(closes, p.momentumBars)),
    swing: ma5 === null || ma20 === null ? 0 : vote(ma5 - ma20),
    scalp: vote(returnOver(closes, 1), p.scalpPct / 100),
    intraday: open === null ? 0 : vote(last / open - 1),
    breakout: prevHigh !== null && last > prevHigh ? 1 : prevLow !== null && last < prevLow ? -1 : 0,
  };
}

function evaluate(input: StrategyInput<EnsembleParams>): Intent[] {
  const { params: p, market } = input;
  const s = ensembleSignals(input);
  const weights = [p.wTrend, p.wMomentum, p.wSwing, p.wScalp, p.wIntraday, p.wBreakout];
  const votes = [s.trend, s.momentum, s.swing, s.scalp, s.intraday, s.breakout];
  const total = weights.reduce((a, b) => a + b, 0);
  const score = total > 0 ? clamp(votes.reduce((acc, v, i) => acc + v * weights[i], 0) / total) : 0;
  const factors = { ...s, composite: round4(score) };
  const reasons = [
    `votes ${Object.entries(s)
      .map(([k, v]) => `${k} ${v > 0 ? '+' : ''}${v}`)
      .join(', ')}`,
  ];
  if (input.position)
    return score <= p.sellThreshold
      ? [
          {
            kind: 'exit',
            market,
            score: round4(-score),
            reasons: [...reasons, `score ${score.toFixed(3)} <= ${p.sellThreshold}`],
            factors,
          },
        ]
      : [];
  if (score < p.buyThreshold) return [];
  return [
    {
      kind: 'entry',
      market,
      score: round4(score),
      reasons: [...reasons, `score ${score.toFixed(3)} >= ${p.buyThreshold}`],
      factors,
    },
  ];
}

export const ensemble: Strategy<EnsembleParams> = {
  id: 'ensemble',
  name: 'Six-signal ensemble',
  description: 'Weighted vote of trend, momentum, MA swing, scalping move, intraday change and breakout on 15m bars.',
  params: schema,
  defaults: defaultsOf<EnsembleParams>(schema),
  entryTimeframe: 'minute15',
  warmupBars: { minute15: 50, minute60: 50 },
  timeframes: ['minute15', 'minute60', 'day'],
  // The trend vote reads the 60m EMA50; the other votes come from the bars. Nothing else is computed.
  indicators: {
    minute15: [],
    minute60: ['ema50'],
    day: [],
  },
  evaluate,
};
