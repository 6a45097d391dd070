// The one reader of the environment: every variable the API, the workers, the launcher and the CLI take, with
// its documented default (README "Configuration"), checked once at start-up so a typo fails with its name.
// Pure: it reads the object it is given (process.env by default) and nothing else.
import { resolve } from 'node:path';
import { TASK_QUEUE_BACKTEST, TASK_QUEUE_DATA, TASK_QUEUE_TRADING } from '../contract/ids';
import { TRADING_MODES, type TradingMode } from '../session/config';

export type Environment = Readonly<Record<string, string | undefined>>;

/** Account-wide limits in KRW, over all sessions of a mode; absent = off (activities/account-limits.ts checks them). */
export interface AccountLimits {
  /** KRW in coins and pending bids of all sessions together. */
  maxExposureKrw?: number;
  /** Realised loss since 00:00 KST that stops new entries until the next KST day. */
  dailyLossLimitKrw?: number;
  /** Fall of the realised PnL curve from its peak over the last 30 days that stops new entries. */
  maxDrawdownKrw?: number;
}

export interface RuntimeConfig {
  mode: TradingMode;
  dataDir: string;
  port: number;
  host: string;
  temporalAddress?: string;
  temporalNamespace: string;
  /** Port of the launcher's own Temporal dev server (when TEMPORAL_ADDRESS is unset). */
  temporalPort: number;
  temporalUiPort: number;
  /** Where the dashboard links workflows (a standalone API; the launcher knows its own dev server's UI). */
  temporalUiUrl?: string;
  simPort: number;
  /** Where the Upbit client of `sim`/`paper` mode connects (the launcher's own simulator by default). */
  simUrl: string;
  /** SIM_URL was set: the launcher uses that simulator instead of starting its own. */
  externalSim: boolean;
  upbitUrl: string;
  /** The Task Queues a standalone worker polls. */
  taskQueues: string[];
  /** A workflow bundle built ahead (WORKFLOW_BUNDLE, `npm run bundle:workflows`); unset = bundled at start. */
  workflowBundle?: string;
  /** Pino level of the API's log; unset = the process's own default. */
  logLevel?: string;
  /** The Temporal SDK's log level (TEMPORAL_LOG_LEVEL). */
  temporalLogLevel: string;
  /** `true`, or the reverse proxy's addresses (comma-separated IPs or CIDRs). */
  trustProxy?: true | string;
  /** The Host headers the API answers (e.g. "trader.example.com"); any when empty. */
  apiHosts: string[];
  /** ALLOW_LIVE=1: live sessions may be started (and live orders placed by this worker). */
  allowLive: boolean;
  /** Days of 1-minute history the candle collector's first run backfills. */
  candleHistoryDays: number;
  accountLimits: AccountLimits;
  rateLimits: RateLimits;
}

/** Request limits of the API (api/rate-limits.ts applies them). */
export interface RateLimits {
  /** Requests per minute per client address (RATE_LIMIT_PER_MIN). */
  perMinute: number;
  /** Backtest launches per hour per user (BACKTEST_QUOTA_PER_HOUR). */
  backtestsPerHour: number;
  /** Session starts per hour per user (SESSION_START_QUOTA_PER_HOUR). */
  sessionStartsPerHour: number;
}

export const DEFAULT_RATE_LIMITS: RateLimits = { perMinute: 1200, backtestsPerHour: 30, sessionStartsPerHour: 30 };

/** Days of 1-minute history the first candle collection backfills (CANDLE_HISTORY_DAYS). */
export const DEFAULT_CANDLE_HISTORY_DAYS = 180;

function portFrom(env: Environment, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
  return n;
}

export function readRuntimeConfig(env: Environment = process.env): RuntimeConfig {
  const mode = (env.MODE || 'sim') as TradingMode;
  if (!TRADING_MODES.includes(mode)) throw new Error(`MODE must be one of ${TRADING_MODES.join(', ')}, got "${mode}"`);
  const simPort = portFrom(env, 'SIM_PORT', 7780);
  return {
    mode,
    dataDir: resolve(env.DATA_DIR || './data'),
    port: portFrom(env, 'PORT', 3000),
    host: env.HOST || '127.0.0.1',
    ...readTemporalTarget(env),
    temporalPort: portFrom(env, 'TEMPORAL_PORT', 7233),
    temporalUiPort: portFrom(env, 'TEMPORAL_UI_PORT', 8233),
    temporalUiUrl: env.TEMPORAL_UI_URL || undefined,
    simPort,
    simUrl: env.SIM_URL || `http://127.0.0.1:${simPort}`,
    externalSim: Boolean(env.SIM_URL),
    upbitUrl: env.UPBIT_URL || 'https://api.upbit.com',
    taskQueues: (env.TASK_QUEUES || `${TASK_QUEUE_TRADING},${TASK_QUEUE_BACKTEST},${TASK_QUEUE_DATA}`)
      .split(',')
      .map((q) => q.trim())
      .filter(Boolean),
    workflowBundle: env.WORKFLOW_BUNDLE || undefined,
    logLevel: env.LOG_LEVEL || undefined,
    temporalLogLevel: readTemporalLogLevel(env),
    trustProxy: env.TRUST_PROXY === 'true' ? true : env.TRUST_PROXY || undefined,
    apiHosts: (env.API_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    allowLive: liveTradingAllowed(env),
    candleHistoryDays: readCandleHistoryDays(env),
    accountLimits: readAccountLimits(env),
    rateLimits: readRateLimits(env),
  };
}

/** TEMPORAL_ADDRESS (unset: the launcher starts its own dev server) and TEMPORAL_NAMESPACE. */
export function readTemporalTarget(env: Environment = process.env): {
  temporalAddress?: string;
  temporalNamespace: string;
} {
  return { temporalAddress: env.TEMPORAL_ADDRESS || undefined, temporalNamespace: env.TEMPORAL_NAMESPACE || 'default' };
}

/** TEMPORAL_LOG_LEVEL: the Temporal SDK's log level (any process that runs workers installs it). */
export function readTemporalLogLevel(env: Environment = process.env): string {
  return (env.TEMPORAL_LOG_LEVEL || 'WARN').toUpperCase();
}

/** ALLOW_LIVE=1 (read at each check, so the worker's gate follows its own environment). */
export function liveTradingAllowed(env: Environment = process.env): boolean {
  return env.ALLOW_LIVE === '1';
}

export function readCandleHistoryDays(env: Environment = process.env): number {
  const raw = env.CANDLE_HISTORY_DAYS;
  if (raw === undefined || raw === '') return DEFAULT_CANDLE_HISTORY_DAYS;
  const days = Number(raw);
  if (!(days > 0) || days > 3650)
    throw new Error(`CANDLE_HISTORY_DAYS must be a number of days in (0, 3650], got "${raw}"`);
  return days;
}

/** `ACCOUNT_MAX_EXPOSURE_KRW`, `ACCOUNT_DAILY_LOSS_LIMIT_KRW`, `ACCOUNT_MAX_DRAWDOWN_KRW`: unset or 0 = off. */
export function readAccountLimits(env: Environment = process.env): AccountLimits {
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

/**
 * The exchange keys the environment holds, read at each call: the operator's Upbit key for headless setups
 * (UPBIT_ACCESS_KEY / UPBIT_SECRET_KEY; the vault comes first) and the simulator's (documented defaults).
 */
export function environmentKeys(env: Environment = process.env) {
  return {
    live:
      env.UPBIT_ACCESS_KEY && env.UPBIT_SECRET_KEY
        ? { accessKey: env.UPBIT_ACCESS_KEY, secretKey: env.UPBIT_SECRET_KEY }
        : undefined,
    sim: { accessKey: env.SIM_ACCESS_KEY || 'sim-access-key', secretKey: env.SIM_SECRET_KEY || 'sim-secret-key' },
  };
}

/** RATE_LIMIT_PER_MIN, BACKTEST_QUOTA_PER_HOUR, SESSION_START_QUOTA_PER_HOUR; unset = the defaults. */
export function readRateLimits(env: Environment = process.env): RateLimits {
  const count = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number >= 1, got "${raw}"`);
    return n;
  };
  return {
    perMinute: count('RATE_LIMIT_PER_MIN', DEFAULT_RATE_LIMITS.perMinute),
    backtestsPerHour: count('BACKTEST_QUOTA_PER_HOUR', DEFAULT_RATE_LIMITS.backtestsPerHour),
    sessionStartsPerHour: count('SESSION_START_QUOTA_PER_HOUR', DEFAULT_RATE_LIMITS.sessionStartsPerHour),
  };
}
