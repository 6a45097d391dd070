// Probe: the simplest strategy that exercises the whole path (signal, risk, order, exit plan).
// It enters any market it does not hold whose last closed 1-minute bar closed at or above its open.
// Meant for demos and end-to-end checks of a deployment, not for making money.
import { defaultsOf } from '../params';
import type { Intent, ParamSchema, Strategy, StrategyInput } from '../types';

export interface ProbeParams {
  targetPct: number;
}

const schema: ParamSchema = {
  type: 'object',
  properties: {
    targetPct: {
      type: 'number',
      minimum: 0.2,
      maximum: 10,
      step: 0.1,
      default: 1,
      description: 'Planned move to the first target, in %',
    },
  },
};

function evaluate(input: StrategyInput<ProbeParams>): Intent[] {
  if (input.position) return [];
  const f = input.snapshot.timeframes.minute1;
  const n = f.closes.length;
  if (n === 0) return [];
  const open = f.opens[n - 1];
  const close = f.closes[n - 1];
  if (!(close >= open)) return [];
  return [
    {
      kind: 'entry',
      market: input.market,
      score: 1,
      reasons: [`probe: last 1m bar closed at ${close} >= open ${open}`],
      targetPct: input.params.targetPct,
      factors: {},
    },
  ];
}

export const probe: Strategy<ProbeParams> = {
  id: 'probe',
  name: 'Probe (demo)',
  description:
    'Buys any market whose last 1-minute bar closed up; exercises signals, risk, orders and exits end to end.',
  params: schema,
  defaults: defaultsOf<ProbeParams>(schema),
  entryTimeframe: 'minute1',
  warmupBars: { minute1: 2 },
  timeframes: ['minute1'],
  // The last bar's open and close only.
  indicators: { minute1: [] },
  evaluate,
};
