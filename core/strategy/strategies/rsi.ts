// Plain RSI: enter long when the 60m RSI is under `oversold`, leave when it is over `overbought`. No other
// rule of its own; the benchmark strategy the issue compares with other backtesters. What every strategy
// goes through regardless (evaluateMarket): the data-quality gate, the warm-up gate and the fee/edge
// filter on entries, whose target is the exit ladder's first take-profit since this strategy names none.
import { defaultsOf } from '../params';
import type { Intent, ParamSchema, Strategy, StrategyInput } from '../types';

export interface RsiParams {
  period: number;
  oversold: number;
  overbought: number;
}

const schema: ParamSchema = {
  type: 'object',
  properties: {
    period: {
      type: 'number',
      minimum: 14,
      maximum: 14,
      step: 1,
      default: 14,
      description: 'RSI period in bars (the feature engine computes RSI14 only)',
    },
    oversold: {
      type: 'number',
      minimum: 5,
      maximum: 50,
      step: 1,
      default: 30,
      description: 'RSI under which the strategy buys',
    },
    overbought: {
      type: 'number',
      minimum: 50,
      maximum: 95,
      step: 1,
      default: 70,
      description: 'RSI over which the strategy sells',
    },
  },
};

function evaluate(input: StrategyInput<RsiParams>): Intent[] {
  const { snapshot, params: p, market } = input;
  // The feature engine keeps RSI14 only; the schema pins period to 14 so the parameter is honest.
  const rsi = snapshot.timeframes.minute60.rsi14;
  if (rsi === null) return [];
  const factors = { rsi: Math.round(rsi * 1e4) / 1e4 };
  if (input.position) {
    if (rsi > p.overbought)
      return [
        { kind: 'exit', market, score: 1, reasons: [`RSI${p.period} ${rsi.toFixed(1)} > ${p.overbought}`], factors },
      ];
    return [];
  }
  if (!(rsi < p.oversold)) return [];
  return [{ kind: 'entry', market, score: 1, reasons: [`RSI${p.period} ${rsi.toFixed(1)} < ${p.oversold}`], factors }];
}

export const rsi: Strategy<RsiParams> = {
  id: 'rsi',
  name: 'RSI',
  description: 'Buys when the 60m RSI14 is under 30 and sells when it is over 70; long only, no other rule.',
  params: schema,
  defaults: defaultsOf<RsiParams>(schema),
  entryTimeframe: 'minute60',
  warmupBars: { minute60: 15 },
  timeframes: ['minute60'],
  indicators: { minute60: ['rsi14'] },
  evaluate,
};
