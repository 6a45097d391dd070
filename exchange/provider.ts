// Which exchange each mode talks to, and where its keys come from (never from workflow inputs).
import { environmentKeys } from '../core/environment';
import type { TradingMode } from '../core/session/config';
import type { KeyVault } from '../security/vault';
import { UpbitClient, type UpbitLogger } from './upbit/client';

export interface ExchangeEndpoints {
  /** Base URL of the simulator (sim and paper modes). */
  simUrl: string;
  /** Base URL of Upbit (live mode). */
  upbitUrl: string;
  /** Receives the clients' warnings (rate limits, retried reads), e.g. an ExchangeHealth. */
  logger?: UpbitLogger;
  /** Where live mode's key is stored (read at each call, so a new key takes effect at once). */
  vault?: KeyVault;
}

/**
 * Keys per mode, read at call time: the simulator's documented defaults, or the operator's Upbit key
 * (the vault's "live" key, else UPBIT_ACCESS_KEY/UPBIT_SECRET_KEY for headless setups).
 */
export function keysFor(mode: TradingMode, vault?: KeyVault) {
  return async () => {
    if (mode === 'live') {
      const stored = await vault?.read('live');
      if (stored) return stored;
      const fromEnvironment = environmentKeys().live;
      if (!fromEnvironment)
        throw new Error(
          'live mode needs an Upbit key: store one (PUT /api/exchange-keys/live) or set UPBIT_ACCESS_KEY and UPBIT_SECRET_KEY',
        );
      return fromEnvironment;
    }
    return environmentKeys().sim;
  };
}

/** One client per mode, created on first use and shared (it owns the rate-limit state of its keys). */
export function exchangeProvider(endpoints: ExchangeEndpoints): (mode: TradingMode) => UpbitClient {
  const clients = new Map<TradingMode, UpbitClient>();
  return (mode) => {
    let client = clients.get(mode);
    if (!client) {
      client = new UpbitClient({
        baseUrl: mode === 'live' ? endpoints.upbitUrl : endpoints.simUrl,
        keys: keysFor(mode, endpoints.vault),
        logger: endpoints.logger,
      });
      clients.set(mode, client);
    }
    return client;
  };
}
