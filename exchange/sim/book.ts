import type { Level } from './market-state';
import { ceilToTick, floorToTick, stepDown, stepUp } from './price-grid';

export const BOOK_DEPTH = 30;

/**
 * The outside market's book around a fair price: one tick wide, 30 levels a side, depth growing away
 * from the touch. Levels that stay keep most of their size (what takers consumed refills slowly); new
 * levels get a fresh size of about `levelKrw`.
 */
export function syntheticBook(
  prev: { asks: Level[]; bids: Level[] },
  fair: number,
  levelKrw: number,
  random: () => number,
  fairIsBid = false,
): { asks: Level[]; bids: Level[] } {
  let bid = floorToTick(fair);
  let ask = fairIsBid ? stepUp(bid) : ceilToTick(fair);
  if (ask <= bid) ask = stepUp(bid);
  const oldAsks = new Map(prev.asks.map((l) => [l.price, l.size]));
  const oldBids = new Map(prev.bids.map((l) => [l.price, l.size]));
  const size = (old: Map<number, number>, price: number, i: number) => {
    const fresh = (levelKrw * (0.4 + (i / BOOK_DEPTH) * 1.5) * (0.3 + 1.4 * random())) / price;
    const was = old.get(price);
    return Number((was === undefined ? fresh : 0.9 * was + 0.1 * fresh).toFixed(8));
  };
  const asks: Level[] = [];
  const bids: Level[] = [];
  for (let i = 0; i < BOOK_DEPTH; i++) {
    asks.push({ price: ask, size: size(oldAsks, ask, i) });
    bids.push({ price: bid, size: size(oldBids, bid, i) });
    ask = stepUp(ask);
    const next = stepDown(bid);
    if (next < bid) bid = next;
    else break;
  }
  return { asks, bids };
}
