import type { AskBid, MarketState } from './market-state';

/** A trade the outside market wants to make this tick; simulator orders in its way fill first. */
export interface Print {
  market: string;
  price: number;
  volume: number;
  askBid: AskBid;
}

/**
 * Where prices come from. A feed builds the markets with their history at start, then on every tick
 * moves prices, refreshes each market's displayed book and returns the trades the outside market made.
 */
export interface MarketFeed {
  init(now: number): Promise<MarketState[]>;
  step(now: number): Promise<Print[]> | Print[];
  /** Moves a market's price at once (admin); the book is rebuilt around it. */
  setPrice(market: string, price: number, now: number): void;
  close(): Promise<void>;
  /** A feed that runs its own time (accelerated replay) gives the simulator its clock. */
  clock?(): number;
}
