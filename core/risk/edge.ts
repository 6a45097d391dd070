// Fee and edge filter: a trade is only worth taking when its target pays the round trip several
// times over and is large against the market's normal noise (ATR).
import Decimal from 'decimal.js';
import type { DecimalInput } from '../market';
import { DEFAULT_FEE_RATE } from '../market';
import type { EdgeConfig } from './types';

export interface EdgeInput {
  price: DecimalInput;
  /** Planned move to the (first) target, in %. */
  targetPct: number;
  atr: DecimalInput;
  /** Fee per side as a rate ('0.0005'); DEFAULT_FEE_RATE when absent. */
  feeRate?: DecimalInput;
  config: EdgeConfig;
}

export type EdgeCheck =
  | { ok: true; costPct: number; atrPct: number }
  | { ok: false; code: 'EdgeBelowCost' | 'EdgeBelowAtr'; reason: string; costPct: number; atrPct: number };

/** A price or ATR as a double (a decimal string read by decimal.js, so a malformed one still throws). */
function numberOf(v: DecimalInput): number {
  return typeof v === 'number' ? v : new Decimal(v).toNumber();
}

// The last round-trip cost computed: every entry of a session or backtest asks with the same fee and slippage.
let lastCost: { feeRate: DecimalInput; slippagePct: number; pct: number } | undefined;

/** Round-trip cost in %: fee on both sides plus the expected slippage on both sides. */
export function roundTripCostPct(feeRate: DecimalInput, slippagePct: number): number {
  if (lastCost !== undefined && lastCost.feeRate === feeRate && lastCost.slippagePct === slippagePct)
    return lastCost.pct;
  const pct = new Decimal(feeRate)
    .mul(200)
    .plus(2 * slippagePct)
    .toNumber();
  lastCost = { feeRate, slippagePct, pct };
  return pct;
}

export function checkEdge(input: EdgeInput): EdgeCheck {
  const { config } = input;
  const costPct = roundTripCostPct(input.feeRate ?? DEFAULT_FEE_RATE, config.slippagePct);
  // A ratio of percentages, no money: doubles (a decimal division per entry signal was most of a backtest's filter).
  const price = numberOf(input.price);
  const atrPct = price > 0 ? (numberOf(input.atr) / price) * 100 : 0;
  const needCost = config.feeMultiple * costPct;
  if (!(input.targetPct >= needCost))
    return {
      ok: false,
      code: 'EdgeBelowCost',
      reason: `EdgeBelowCost: target ${input.targetPct.toFixed(3)}% < ${config.feeMultiple} x round-trip cost ${costPct.toFixed(3)}%`,
      costPct,
      atrPct,
    };
  const needAtr = config.atrMultiple * atrPct;
  if (!(input.targetPct >= needAtr))
    return {
      ok: false,
      code: 'EdgeBelowAtr',
      reason: `EdgeBelowAtr: target ${input.targetPct.toFixed(3)}% < ${config.atrMultiple} x ATR ${atrPct.toFixed(3)}%`,
      costPct,
      atrPct,
    };
  return { ok: true, costPct, atrPct };
}
