// Dual momentum: hold a coin only while its lookback return is positive (absolute momentum, versus
// cash) and beats the benchmark's, KRW-BTC by default (relative momentum). Needs `input.benchmark`.
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
import { returnOver } from '../series';
import type { Intent, ParamSchema, Strategy, StrategyInput } from '../types';

export interface DualMomentumParams extends FactorParams {
  lookbackDays: number;
  absMinPct: number;
  relMarginPct: number;
  entryThreshold: number;
}

const schema: ParamSchema = {
  type: 'object',
  properties: {
    lookbackDays: {
      type: 'integer',
      minimum: 3,
      maximum: 45,
      default: 20,
      description: 'days over which returns are compared',
    },
    absMinPct: {
      type: 'number',
      minimum: -10,
      maximum: 50,
      step: 0.5,
      default: 0,
      description: 'lookback return (%) the coin needs (absolute momentum)',
    },
    relMarginPct: {
      type: 'number',
      minimum: 0,
      maximum: 50,
      step: 0.5,
      default: 2,
      description: "percentage points the coin's return must beat the benchmark's by",
    },
    entryThreshold: {
      type: 'number',
      minimum: -1,
      maximum: 1,
      step: 0.05,
      default: 0,
      description: 'composite score an entry needs',
    },
    ...factorParamSchema({
      wTrend: 2,
      wMomentum: 2,
      wVolatility: 1,
      wVolume: 0.5,
      wCorrelation: 0,
      wRegime: 0.5,
      volLowPct: 0.5,
      volHighPct: 8,
    }),
  },
};

function evaluate(input: StrategyInput<DualMomentumParams>): Intent[] {
  const { snapshot, params: p, market } = input;
  const day = snapshot.timeframes.day;
  const own = returnOver(day.closes, p.lookbackDays);
  const bench = input.benchmark;
  const benchReturn = bench
    ? bench.market === market
      ? own
      : returnOver(bench.timeframes.day.closes, p.lookbackDays)
    : null;
  if (own === null || benchReturn === null) return [];
  const ownPct = own * 100;
  const relPct = (own - benchReturn) * 100;
  const scores = factorScores(day, snapshot.timeframes.minute240, snapshot.corrBtc, snapshot.regime, input.context, p);
  const score = composite(scores, factorWeights(p));
  const factors = { ...scores, composite: score, returnPct: ownPct, relativePct: relPct };
  for (const k of Object.keys(factors) as (keyof typeof factors)[]) factors[k] = round4(factors[k]);
  const isBench = bench?.market === market;

  if (input.position) {
    const reasons: string[] = [];
    if (ownPct < p.absMinPct) reasons.push(`${p.lookbackDays}-day return ${ownPct.toFixed(2)}% < ${p.absMinPct}%`);
    if (!isBench && relPct < 0) reasons.push(`trails ${bench?.market} by ${(-relPct).toFixed(2)} points`);
    return reasons.length ? [{ kind: 'exit', market, score: 1, reasons, factors }] : [];
  }
  if (ownPct < p.absMinPct) return [];
  if (!isBench && relPct < p.relMarginPct) return [];
  if (score < p.entryThreshold) return [];
  const reasons = [
    `${p.lookbackDays}-day return ${ownPct.toFixed(2)}% >= ${p.absMinPct}%`,
    isBench ? 'is the benchmark' : `beats ${bench?.market} by ${relPct.toFixed(2)} points (>= ${p.relMarginPct})`,
    `composite ${score.toFixed(3)} >= ${p.entryThreshold}`,
  ];
  return [{ kind: 'entry', market, score: round4(score), reasons, factors }];
}

export const dualMomentum: Strategy<DualMomentumParams> = {
  id: 'dual-momentum',
  name: 'Dual momentum',
  description: 'Holds coins whose lookback return is positive and beats KRW-BTC; leaves when either fails.',
  params: schema,
  defaults: defaultsOf<DualMomentumParams>(schema),
  entryTimeframe: 'minute240',
  warmupBars: { day: 46, minute240: 30 },
  timeframes: ['minute240', 'day'],
  // The six factors: the trend on daily bars, momentum, volatility and volume on 4-hour bars. Nothing else is
  // computed (the returns come from the daily closes).
  indicators: {
    day: [...TREND_FACTOR_INDICATORS],
    minute240: [...SIGNAL_FACTOR_INDICATORS],
  },
  evaluate,
};
