// RSI mean reversion: buy an oversold 15m bar at or under the lower Bollinger band unless the 60m
// trend is strongly down; target the band's middle; leave when RSI or price has reverted.
import {
  composite,
  type FactorParams,
  factorParamSchema,
  factorScores,
  factorWeights,
  round4,
  SIGNAL_FACTOR_INDICATORS,
  TREND_FACTOR_INDICATORS,
  trendFactor,
} from '../factors';
import { defaultsOf } from '../params';
import type { Intent, ParamSchema, Strategy, StrategyInput } from '../types';

export interface RsiReversionParams extends FactorParams {
  oversoldRsi: number;
  exitRsi: number;
  bandTouchPct: number;
  maxDownTrend: number;
  entryThreshold: number;
}

const schema: ParamSchema = {
  type: 'object',
  properties: {
    oversoldRsi: {
      type: 'number',
      minimum: 5,
      maximum: 45,
      step: 1,
      default: 30,
      description: 'RSI14 under which a bar counts as oversold',
    },
    exitRsi: {
      type: 'number',
      minimum: 40,
      maximum: 90,
      step: 1,
      default: 55,
      description: 'RSI14 at which the position is closed',
    },
    bandTouchPct: {
      type: 'number',
      minimum: 0,
      maximum: 5,
      step: 0.1,
      default: 0.2,
      description: 'how far (%) above the lower band still counts as touching it',
    },
    maxDownTrend: {
      type: 'number',
      minimum: 0,
      maximum: 1,
      step: 0.05,
      default: 0.6,
      description: 'skip when the 60m trend factor is below minus this',
    },
    entryThreshold: {
      type: 'number',
      minimum: -1,
      maximum: 1,
      step: 0.05,
      default: 0,
      description: 'composite score an entry needs',
    },
    // Falling momentum and a mean-reverting regime favour this strategy, hence the negative weights.
    ...factorParamSchema({
      wTrend: 0.5,
      wMomentum: -1,
      wVolatility: 1,
      wVolume: 0.5,
      wCorrelation: 0.5,
      wRegime: -1,
      volLowPct: 0.3,
      volHighPct: 3,
    }),
  },
};

function evaluate(input: StrategyInput<RsiReversionParams>): Intent[] {
  const { snapshot, params: p, market } = input;
  const f = snapshot.timeframes.minute15;
  const h = snapshot.timeframes.minute60;
  if (f.rsi14 === null || f.bb === null) return [];
  const scores = factorScores(h, f, snapshot.corrBtc, snapshot.regime, input.context, p);
  const score = composite(scores, factorWeights(p));
  const factors = { ...scores, composite: score, rsi14: f.rsi14 };
  for (const k of Object.keys(factors) as (keyof typeof factors)[]) factors[k] = round4(factors[k]);

  if (input.position) {
    if (f.rsi14 >= p.exitRsi)
      return [{ kind: 'exit', market, score: 1, reasons: [`RSI14 ${f.rsi14.toFixed(1)} >= ${p.exitRsi}`], factors }];
    if (f.close >= f.bb.middle)
      return [
        {
          kind: 'exit',
          market,
          score: 1,
          reasons: [`close ${f.close} back at the band middle ${round4(f.bb.middle)}`],
          factors,
        },
      ];
    return [];
  }
  if (!(f.rsi14 < p.oversoldRsi)) return [];
  if (!(f.close <= f.bb.lower * (1 + p.bandTouchPct / 100))) return [];
  const trend = trendFactor(h);
  if (trend < -p.maxDownTrend) return [];
  if (score < p.entryThreshold) return [];
  return [
    {
      kind: 'entry',
      market,
      score: round4(score),
      targetPct: round4(((f.bb.middle - f.close) / f.close) * 100),
      reasons: [
        `RSI14 ${f.rsi14.toFixed(1)} < ${p.oversoldRsi}`,
        `close ${f.close} at the lower band ${round4(f.bb.lower)}`,
        `60m trend ${trend.toFixed(2)} >= -${p.maxDownTrend}`,
        `composite ${score.toFixed(3)} >= ${p.entryThreshold}`,
      ],
      factors,
    },
  ];
}

export const rsiReversion: Strategy<RsiReversionParams> = {
  id: 'rsi-reversion',
  name: 'RSI reversion',
  description: 'Buys oversold 15m bars at the lower Bollinger band outside strong downtrends; targets the band middle.',
  params: schema,
  defaults: defaultsOf<RsiReversionParams>(schema),
  entryTimeframe: 'minute15',
  warmupBars: { minute15: 30, minute60: 60 },
  timeframes: ['minute15', 'minute60'],
  // The six factors (the trend on 60m bars, the rest on 15m bars), and the 15m RSI and Bollinger band. Nothing else
  // is computed.
  indicators: {
    minute15: [...SIGNAL_FACTOR_INDICATORS, 'bb'],
    minute60: [...TREND_FACTOR_INDICATORS],
  },
  evaluate,
};
