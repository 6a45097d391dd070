import type { Server } from 'node:http';
import type { Balance, SimKey } from './accounts';
import type { NonceBook } from './auth';
import type { Engine } from './engine';
import type { MarketState, MarketTrade } from './market-state';
import type { SimFill, SimOrder } from './orders';
import type { RateLimiter } from './rate-limit';

export interface WebSocketContext {
  markets: Map<string, MarketState>;
  engine: Engine;
  now(): number;
  limiter: RateLimiter;
  findKey(accessKey: string): SimKey | undefined;
  nonces: NonceBook;
}

export interface WebSocketHub {
  trade(m: MarketState, t: MarketTrade): void;
  myOrder(o: SimOrder, f: SimFill | null): void;
  myAsset(accessKey: string, rows: Balance[]): void;
  marketChanged(m: MarketState): void;
  afterTick(now: number): void;
  dropAll(): number;
  dropShare(share: number): number;
  close(): void;
}

export function attachWebSockets(_server: Server, _ctx: WebSocketContext): WebSocketHub {
  return {
    trade() {},
    myOrder() {},
    myAsset() {},
    marketChanged() {},
    afterTick() {},
    dropAll: () => 0,
    dropShare: () => 0,
    close() {},
  };
}
