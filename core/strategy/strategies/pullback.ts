// Multi-factor pullback: buy a dip inside a higher-timeframe uptrend once it has recovered.
// Gates: 60m uptrend; a 15m low below EMA21 within the last few bars and a close back above it;
// RSI below the oversold line within the last few bars and now back between it and recoverRsiMax;
// volume at least volumeMin x its mean; optionally the 5m close above its EMA21. Then the six-factor
// composite must clear entryThreshold. The "was below" facts need memory of past bars, kept in
// `PullbackMemory` (plain JSON, advanced once per closed 15m bar).
import type { TimeframeFeatures } from '../../indicators';
import {
  clamp,
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

export interface PullbackParams extends FactorParams {
  trendMin: number;
  dipLookback: number;
  oversoldRsi: number;
  recoverRsiMax: number;
  rsiLookback: number;
  fastRsi: boolean;
  volumeMin: number;
  confirm5m: boolean;
  entryThreshold: number;
}

export interface PullbackMemory {
  /** Open time of the last 15m bar folded in. */
  barTs: number | null;
  /** Closed 15m bars since the last one whose low was below its EMA21 (0 = the newest bar). */
  barsSinceDip: number | null;
  /** Closed 15m bars since RSI14 was last below oversoldRsi. */
  barsSinceOversold: number | null;
}

const BAR_MS = 15 * 60_000;

const schema: ParamSchema = {
  type: 'object',
  properties: {
    trendMin: {
      type: 'number',
      minimum: 0,
      maximum: 1,
      step: 0.05,
      default: 0.3,
      description: '60m trend factor an entry needs',
    },
    dipLookback: {
      type: 'integer',
      minimum: 1,
      maximum: 20,
      default: 6,
      description: '15m bars within which the dip below EMA21 must have happened',
    },
    oversoldRsi: {
      type: 'number',
      minimum: 10,
      maximum: 40,
      step: 1,
      default: 30,
      description: 'RSI level that counts as oversold',
    },
    recoverRsiMax: {
      type: 'number',
      minimum: 35,
      maximum: 70,
      step: 1,
      // The classic rule says 50; on 15m ETH (2024) a close back above EMA21 with RSI7 <= 50 happened
      // on 21 bars a year against 505 with 60, so 60 is the default.
      default: 60,
      description: 'RSI must have recovered to between the oversold line and this',
    },
    rsiLookback: {
      type: 'integer',
      minimum: 1,
      maximum: 30,
      default: 12,
      description: '15m bars within which RSI must have been oversold',
    },
    fastRsi: {
      type: 'boolean',
      default: true,
      description: 'read RSI7 instead of RSI14 for the oversold and recovery gates',
    },
    volumeMin: {
      type: 'number',
      minimum: 0,
      maximum: 5,
      step: 0.1,
      default: 1,
      description: 'volume of the entry bar / its 20-bar mean',
    },
    confirm5m: {
      type: 'boolean',
      default: true,
      description: 'also require the 5m close above its EMA21 (where 5m bars exist)',
    },
    entryThreshold: {
      type: 'number',
      minimum: -1,
      maximum: 1,
      step: 0.05,
      default: 0.2,
      description: 'composite score an entry needs',
    },
    ...factorParamSchema({
      wTrend: 2,
      wMomentum: 1,
      wVolatility: 1,
      wVolume: 1,
      wCorrelation: 0.5,
      wRegime: 0.5,
      volLowPct: 0.3,
      volHighPct: 3,
    }),
  },
};

/** The RSI the oversold/recovery gates read: RSI7 reacts to a 15m dip inside an uptrend, RSI14 rarely does. */
function rsiOf(f: TimeframeFeatures, p: PullbackParams): number | null {
  return p.fastRsi ? f.rsi7 : f.rsi14;
}

function foldBar(memory: PullbackMemory, f: TimeframeFeatures, p: PullbackParams): PullbackMemory {
  if (f.lastClosedTs === null || f.lastClosedTs === memory.barTs) return memory;
  const elapsed = memory.barTs === null ? 1 : Math.max(1, Math.round((f.lastClosedTs - memory.barTs) / BAR_MS));
  const low = f.lows.length ? f.lows[f.lows.length - 1] : f.close;
  const dipped = f.ema21 !== null && low < f.ema21;
  const rsi = rsiOf(f, p);
  const oversold = rsi !== null && rsi < p.oversoldRsi;
  return {
    barTs: f.lastClosedTs,
    barsSinceDip: dipped ? 0 : older(memory.barsSinceDip, elapsed),
    barsSinceOversold: oversold ? 0 : older(memory.barsSinceOversold, elapsed),
  };
}

const older = (age: number | null, bars: number) => (age === null ? null : age + bars);

/** The six-factor composite and its rounded factors. */
function scored(input: StrategyInput<PullbackParams, PullbackMemory>) {
  const { snapshot, params: p } = input;
  const scores = factorScores(
    snapshot.timeframes.minute60,
    snapshot.timeframes.minute15,
    snapshot.corrBtc,
    snapshot.regime,
    input.context,
    p,
  );
  const score = composite(scores, factorWeights(p));
  const factors: Record<string, number> = { ...scores, composite: score };
  for (const k of Object.keys(factors)) factors[k] = round4(factors[k]);
  return { score, factors };
}

function evaluate(input: StrategyInput<PullbackParams, PullbackMemory>): Intent[] {
  const { snapshot, params: p, market } = input;
  const h = snapshot.timeframes.minute60;
  const f = snapshot.timeframes.minute15;
  const m5 = snapshot.timeframes.minute5;
  const trend = trendFactor(h);
  // The six-factor composite (`scored`) only matters once a gate has passed: most evaluations stop before (pure,
  // so computing it later changes nothing).
  if (input.position) {
    if (trend <= -p.trendMin)
      return [
        {
          kind: 'exit',
          market,
          score: round4(clamp(-trend)),
          reasons: [`60m trend turned down (${trend.toFixed(2)})`],
          factors: scored(input).factors,
        },
      ];
    return [];
  }

  const mem = input.memory ?? { barTs: null, barsSinceDip: null, barsSinceOversold: null };
  const reasons: string[] = [];
  if (trend < p.trendMin) return [];
  reasons.push(`60m uptrend ${trend.toFixed(2)} >= ${p.trendMin}`);
  if (f.ema21 === null || mem.barsSinceDip === null || mem.barsSinceDip > p.dipLookback || !(f.close > f.ema21))
    return [];
  reasons.push(
    `15m dipped below EMA21 ${mem.barsSinceDip} bars ago and closed back above (${f.close} > ${round4(f.ema21)})`,
  );
  const rsi = rsiOf(f, p);
  if (rsi === null || mem.barsSinceOversold === null || mem.barsSinceOversold > p.rsiLookback) return [];
  if (rsi < p.oversoldRsi || rsi > p.recoverRsiMax) return [];
  reasons.push(`RSI${p.fastRsi ? 7 : 14} oversold ${mem.barsSinceOversold} bars ago, now ${rsi.toFixed(1)}`);
  if (p.volumeMin > 0 && !(f.volumeSpike !== null && f.volumeSpike >= p.volumeMin)) return [];
  reasons.push(`volume ${f.volumeSpike?.toFixed(2)} x mean`);
  // A backtest fed 15m (or longer) bars has no 5m bars; the confirmation then cannot apply.
  if (p.confirm5m && m5.barsSeen > 0) {
    if (!(m5.ema21 !== null && m5.close > m5.ema21)) return [];
    reasons.push('5m close above EMA21');
  }
  const { score, factors } = scored(input);
  if (score < p.entryThreshold) return [];
  reasons.push(`composite ${score.toFixed(3)} >= ${p.entryThreshold}`);
  return [{ kind: 'entry', market, score: round4(score), reasons, factors }];
}

export const pullback: Strategy<PullbackParams, PullbackMemory> = {
  id: 'pullback',
  name: 'Multi-factor pullback',
  description:
    'Buys a 15m dip below EMA21 that has recovered, with RSI back from oversold, inside a 60m uptrend, confirmed by volume and a six-factor score.',
  params: schema,
  defaults: defaultsOf<PullbackParams>(schema),
  entryTimeframe: 'minute15',
  warmupBars: { minute60: 60, minute15: 30 },
  timeframes: ['minute5', 'minute15', 'minute60'],
  // 5m only confirms (close over EMA21); 60m and 15m feed the six factors (trend, and momentum, volatility and
  // volume), and 15m the dip (EMA21) and oversold (RSI 7 or 14) memory too. Nothing else is computed.
  indicators: {
    minute5: ['ema21'],
    minute15: [...SIGNAL_FACTOR_INDICATORS, 'ema21', 'rsi7', 'rsi14'],
    minute60: [...TREND_FACTOR_INDICATORS],
  },
  evaluate,
  memory: {
    initial: () => ({ barTs: null, barsSinceDip: null, barsSinceOversold: null }),
    update: (memory, input) => foldBar(memory, input.snapshot.timeframes.minute15, input.params),
  },
};
