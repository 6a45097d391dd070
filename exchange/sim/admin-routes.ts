// The simulator's admin API (under /admin, not part of Upbit; no auth, loopback only): health, keys,
// prices, faults, WebSocket drops and ticks on demand. The README's "Admin API" table lists the calls.

import type { SimAccountSeed } from './account-setup';
import type { Engine } from './engine';
import type { FaultState } from './fault-state';
import type { MarketState } from './market-state';
import type { WebSocketHub } from './websocket';

export interface AdminContext {
  markets: Map<string, MarketState>;
  engine: Engine;
  faults: FaultState;
  addAccount(seed: SimAccountSeed): void;
  setPrice(market: string, price: number): number;
  tick(): Promise<void>;
  /** The WebSocket hub, once attached. */
  hub(): WebSocketHub | null;
}

/** Answers one admin call; undefined when there is no such call. Throws (answered 400) on bad input. */
export type AdminHandler = (
  method: string,
  path: string,
  query: URLSearchParams,
  rawBody: string,
) => Promise<unknown | undefined>;

export function adminRoutes(ctx: AdminContext): AdminHandler {
  const { markets, engine, faults } = ctx;
  return async (method, path, query, rawBody) => {
    const body = rawBody ? (JSON.parse(rawBody) as Record<string, unknown>) : {};
    if (method === 'GET' && path === '/admin/health') return { ok: true, markets: markets.size };
    if (method === 'POST' && path === '/admin/keys') return addKey(body);
    if (path === '/admin/price' && method === 'POST') {
      const market = String(body.market);
      const price = ctx.setPrice(market, Number(body.price));
      return { market, price };
    }
    if (path === '/admin/price' && method === 'GET') {
      const m = markets.get(query.get('market') ?? '');
      if (!m) throw new Error('unknown market');
      return { market: m.market, price: m.last, bid: m.bids[0]?.price, ask: m.asks[0]?.price };
    }
    if (path === '/admin/faults') {
      faults.outage();
      if (method === 'DELETE') faults.set({});
      else if (method === 'POST') faults.merge(body);
      return faults.current;
    }
    if (path === '/admin/ws/drop' && method === 'POST') return { dropped: ctx.hub()?.dropAll() ?? 0 };
    if (path === '/admin/tick' && method === 'POST') {
      await ctx.tick();
      return { ok: true };
    }
    return undefined;
  };

  function addKey(body: Record<string, unknown>) {
    const seed = body as unknown as SimAccountSeed;
    if (typeof seed.accessKey !== 'string' || typeof seed.secretKey !== 'string')
      throw new Error('accessKey and secretKey (strings) are required');
    if (engine.accounts.has(seed.accessKey)) throw new Error('accessKey already exists');
    if (seed.krw !== undefined && !/^\d+(\.\d+)?$/.test(String(seed.krw)))
      throw new Error('krw must be a decimal string');
    ctx.addAccount({ ...seed, krw: seed.krw === undefined ? undefined : String(seed.krw) });
    return { accessKey: seed.accessKey };
  }
}
