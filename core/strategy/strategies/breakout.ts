// Volatility breakout: buy when price clears today's open + k x yesterday's range (Larry Williams),
// optionally only above the 5-day average; sell at the next day's open. Entries are gated by the
// six-factor composite like every strategy here.
import {
  composite,
  type FactorParams,
  factorParamSchema,
  factorScores,
  factorWeights,
  round4,
  SIGNAL_FACTOR_INDICATORS,
  TREND_FACTOR_INDICATORS,
} from '../factors';
import { defaultsOf } from '../params';
import { currentDayStart, dayOpen, smaOf } from '../series';
import type { Intent, ParamSchema, Strategy, StrategyInput } from '../types';

export interface BreakoutParams extends FactorParams {
  k: number;
  minRangePct: number;
  trendFilter: boolean;
  exitNextDay: boolean;
  entryThreshold: number;
}

const schema: ParamSchema = {
  type: 'object',
  properties: {
    k: {
      type: 'number',
      minimum: 0.1,
      maximum: 1.5,
      step: 0.05,
      default: 0.5,
      description: "share of yesterday's range price must clear above today's open",
    },
    minRangePct: {
      type: 'number',
      minimum: 0,
      maximum: 20,
      step: 0.1,
      default: 1,
      description: 'skip days whose previous range was under this % of the close',
    },
    trendFilter: {
      type: 'boolean',
      default: true,
      description: 'only when the last daily close is above its 5-day average',
    },
    exitNextDay: {
      type: 'boolean',
      default: true,
      description: 'sell at the next day open (classic); otherwise only the exit plan sells',
    },
    entryThreshold: {
      type: 'number',
      minimum: -1,
      maximum: 1,
      step: 0.05,
      default: -0.2,
      description: 'composite score an entry needs',
    },
    ...factorParamSchema({
      wTrend: 1,
      wMomentum: 1,
      wVolatility: 1,
      wVolume: 1,
      wCorrelation: 0.5,
      wRegime: 0.5,
      volLowPct: 0.3,
      volHighPct: 4,
    }),
  },
};

function evaluate(input: StrategyInput<BreakoutParams>): Intent[] {
  const { snapshot, params: p, market, ts } = input;
  const day = snapshot.timeframes.day;
  const h = snapshot.timeframes.minute60;
  const f = snapshot.timeframes.minute15;
  const scores = factorScores(h, f, snapshot.corrBtc, snapshot.regime, input.context, p);
  const score = composite(scores, factorWeights(p));
  const today = currentDayStart(snapshot.timeframes.day, ts);

  if (input.position) {
    if (p.exitNextDay && today !== null && input.position.openedTs < today)
      return [
        {
          kind: 'exit',
          market,
          score: 1,
          reasons: ['next day open: breakout positions are held for one day'],
          factors: { composite: round4(score) },
        },
      ];
    return [];
  }
  const n = day.closes.length;
  // Yesterday's bar must be the newest closed day, or the range is stale.
  if (today === null) return [];
  const range = day.highs[n - 1] - day.lows[n - 1];
  const open = dayOpen(h, day, ts);
  const price = snapshot.lastPrice ?? f.close;
  if (open === null || !(range > 0) || (range / day.closes[n - 1]) * 100 < p.minRangePct) return [];
  const level = open + p.k * range;
  if (!(price >= level)) return [];
  const reasons = [`price ${price} >= open ${open} + ${p.k} x range ${round4(range)} = ${round4(level)}`];
  if (p.trendFilter) {
    const ma5 = smaOf(day.closes, 5);
    if (ma5 === null || !(day.closes[n - 1] > ma5)) return [];
    reasons.push(`daily close ${day.closes[n - 1]} above 5-day average ${round4(ma5)}`);
  }
  if (score < p.entryThreshold) return [];
  reasons.push(`composite ${score.toFixed(3)} >= ${p.entryThreshold}`);
  const factors = { ...scores, composite: score, breakoutLevel: level, rangePct: (range / price) * 100 };
  for (const k of Object.keys(factors) as (keyof typeof factors)[]) factors[k] = round4(factors[k]);
  return [{ kind: 'entry', market, score: round4(score), reasons, factors }];
}

export const breakout: Strategy<BreakoutParams> = {
  id: 'breakout',
  name: 'Volatility breakout',
  description:
    "Buys when price clears today's open plus k x yesterday's range, above the 5-day average; sells at the next day's open.",
  params: schema,
  defaults: defaultsOf<BreakoutParams>(schema),
  entryTimeframe: 'minute15',
  warmupBars: { day: 6, minute60: 30, minute15: 30 },
  timeframes: ['minute15', 'minute60', 'day'],
  // The six factors: the trend on 60m bars, momentum, volatility and volume on 15m bars. The range, the day's open and
  // the 5-day average come from the bars. Nothing else is computed.
  indicators: {
    minute15: [...SIGNAL_FACTOR_INDICATORS],
    minute60: [...TREND_FACTOR_INDICATORS],
    day: [],
  },
  evaluate,
};
