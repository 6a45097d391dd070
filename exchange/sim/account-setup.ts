// The simulator's key pairs at start: what the store holds comes back, then the configured pairs that
// are new to it are added with their starting holdings (also the admin API's `POST /admin/keys`).
import { Dec } from './accounts';
import type { Engine } from './engine';
import type { SimFill } from './orders';
import { loadBalance, loadFill, loadOrder, type StoredState, type StoreWriter } from './store';

export interface SimAccountSeed {
  accessKey: string;
  secretKey: string;
  /** Starting KRW (decimal string), credited only when the key is new to the store. */
  krw?: string;
  /** Other starting holdings, e.g. { BTC: '0.5' }. */
  holdings?: Record<string, string>;
}

export const DEFAULT_ACCESS_KEY = 'sim-access-key';
export const DEFAULT_SECRET_KEY = 'sim-secret-key';
export const DEFAULT_KRW = '10000000';

export function defaultAccounts(env = process.env): SimAccountSeed[] {
  return [
    {
      accessKey: env.SIM_ACCESS_KEY || DEFAULT_ACCESS_KEY,
      secretKey: env.SIM_SECRET_KEY || DEFAULT_SECRET_KEY,
      krw: env.SIM_KRW || DEFAULT_KRW,
    },
  ];
}

/** Puts every stored key back with its balances, orders (with their fills) and burned identifiers. */
export function restoreAccounts(engine: Engine, saved: StoredState) {
  const fillsByOrder = new Map<string, SimFill[]>();
  for (const f of saved.fills) {
    const list = fillsByOrder.get(f.orderUuid) ?? [];
    list.push(loadFill(f));
    fillsByOrder.set(f.orderUuid, list);
  }
  for (const k of saved.keys) {
    const acc = engine.addKey(k, null, false);
    engine.restore(
      acc,
      saved.balances.filter((b) => b.accessKey === k.accessKey).map(loadBalance),
      saved.orders.filter((o) => o.accessKey === k.accessKey).map((o) => loadOrder(o, fillsByOrder.get(o.uuid) ?? [])),
      saved.identifiers.filter((i) => i.accessKey === k.accessKey).map((i) => i.identifier),
    );
  }
}

/** Adds a key pair with its starting holdings; a key the engine knows already is left as it is. */
export function addAccount(engine: Engine, writer: StoreWriter, now: number, seed: SimAccountSeed) {
  if (!seed.accessKey || !seed.secretKey) throw new Error('accessKey and secretKey are required');
  if (engine.accounts.has(seed.accessKey)) return;
  const acc = engine.addKey(
    { accessKey: seed.accessKey, secretKey: seed.secretKey, createdAt: now },
    new Dec(seed.krw ?? DEFAULT_KRW),
  );
  for (const [currency, amount] of Object.entries(seed.holdings ?? {})) {
    const b = engine.balance(acc, currency);
    b.balance = b.balance.plus(amount);
    writer.balance(seed.accessKey, b);
  }
}
