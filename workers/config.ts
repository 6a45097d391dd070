// Environment of the worker, API and launcher: one reader, with the documented defaults.
import { resolve } from 'node:path';
import type { AccountLimits } from '../activities/account-limits';
import { TRADING_MODES, type TradingMode } from '../core/session/config';

export interface RuntimeConfig {
  mode: TradingMode;
  dataDir: string;
  port: number;
  host: string;
  temporalAddress?: string;
  temporalNamespace: string;
  temporalUiPort: number;
  simPort: number;
  /** Where the Upbit client of `sim`/`paper` mode connects (the launcher's own simulator by default). */
  simUrl: string;
  upbitUrl: string;
}

function intFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return n;
}

export function readRuntimeConfig(): RuntimeConfig {
  const mode = (process.env.MODE ?? 'sim') as TradingMode;
  if (!TRADING_MODES.includes(mode)) throw new Error(`MODE must be one of ${TRADING_MODES.join(', ')}, got "${mode}"`);
  const simPort = intFrom('SIM_PORT', 7780);
  return {
    mode,
    dataDir: resolve(process.env.DATA_DIR || './data'),
    port: intFrom('PORT', 3000),
    host: process.env.HOST || '127.0.0.1',
    temporalAddress: process.env.TEMPORAL_ADDRESS || undefined,
    temporalNamespace: process.env.TEMPORAL_NAMESPACE || 'default',
    temporalUiPort: intFrom('TEMPORAL_UI_PORT', 8233),
    simPort,
    simUrl: process.env.SIM_URL || `http://127.0.0.1:${simPort}`,
    upbitUrl: process.env.UPBIT_URL || 'https://api.upbit.com',
  };
}

/** `ACCOUNT_MAX_EXPOSURE_KRW`, `ACCOUNT_DAILY_LOSS_LIMIT_KRW`, `ACCOUNT_MAX_DRAWDOWN_KRW`: unset or 0 = off. */
export function readAccountLimits(env: NodeJS.ProcessEnv = process.env): AccountLimits {
  const krw = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a KRW amount >= 0, got "${raw}"`);
    return n || undefined;
  };
  return {
    maxExposureKrw: krw('ACCOUNT_MAX_EXPOSURE_KRW'),
    dailyLossLimitKrw: krw('ACCOUNT_DAILY_LOSS_LIMIT_KRW'),
    maxDrawdownKrw: krw('ACCOUNT_MAX_DRAWDOWN_KRW'),
  };
}

/** API_HOSTS: the Host headers the API answers (e.g. "trader.example.com"); any when unset. */
export function apiHosts(env: NodeJS.ProcessEnv = process.env): string[] {
  return (env.API_HOSTS ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
}
