import { describe, expect, it } from 'vitest';
import { DEFAULT_CANDLE_HISTORY_DAYS, environmentKeys, readCandleHistoryDays, readRuntimeConfig } from '.';

describe('the environment', () => {
  it('has a documented default for everything (an empty environment starts the sim mode on loopback)', () => {
    const cfg = readRuntimeConfig({});
    expect(cfg).toMatchObject({
      mode: 'sim',
      port: 3000,
      host: '127.0.0.1',
      temporalNamespace: 'default',
      temporalPort: 7233,
      simUrl: 'http://127.0.0.1:7780',
      externalSim: false,
      taskQueues: ['trading', 'backtest', 'data'],
      temporalLogLevel: 'WARN',
      apiHosts: [],
      allowLive: false,
      candleHistoryDays: DEFAULT_CANDLE_HISTORY_DAYS,
      accountLimits: { maxExposureKrw: undefined, dailyLossLimitKrw: undefined, maxDrawdownKrw: undefined },
    });
    expect(cfg.temporalAddress).toBeUndefined();
    expect(cfg.dataDir).toMatch(/[/\\]data$/);
  });

  it('reads what is set', () => {
    const cfg = readRuntimeConfig({
      MODE: 'paper',
      SIM_URL: 'http://127.0.0.1:9999',
      TASK_QUEUES: 'backtest, data',
      API_HOSTS: 'Trader.Example.com, other.example.com',
      ALLOW_LIVE: '1',
      TRUST_PROXY: '10.0.0.0/8',
      ACCOUNT_DAILY_LOSS_LIMIT_KRW: '50000',
      ACCOUNT_MAX_EXPOSURE_KRW: '0',
    });
    expect(cfg).toMatchObject({
      mode: 'paper',
      simUrl: 'http://127.0.0.1:9999',
      externalSim: true,
      taskQueues: ['backtest', 'data'],
      apiHosts: ['trader.example.com', 'other.example.com'],
      allowLive: true,
      trustProxy: '10.0.0.0/8',
      accountLimits: { dailyLossLimitKrw: 50_000, maxExposureKrw: undefined },
    });
    expect(readRuntimeConfig({ TRUST_PROXY: 'true' }).trustProxy).toBe(true);
  });

  it('refuses a bad value, naming the variable', () => {
    expect(() => readRuntimeConfig({ MODE: 'real' })).toThrow(/MODE must be one of sim, paper, live/);
    expect(() => readRuntimeConfig({ PORT: '70000' })).toThrow(/PORT must be a port number/);
    expect(() => readRuntimeConfig({ ACCOUNT_MAX_DRAWDOWN_KRW: '-1' })).toThrow(/ACCOUNT_MAX_DRAWDOWN_KRW/);
    expect(() => readRuntimeConfig({ ALLOW_LIVE: '1', CANDLE_HISTORY_DAYS: 'x' })).toThrow(/CANDLE_HISTORY_DAYS/);
  });

  it('CANDLE_HISTORY_DAYS: 180 by default, a positive number of days up to ten years', () => {
    expect(readCandleHistoryDays({})).toBe(DEFAULT_CANDLE_HISTORY_DAYS);
    expect(readCandleHistoryDays({ CANDLE_HISTORY_DAYS: '365' })).toBe(365);
    expect(readCandleHistoryDays({ CANDLE_HISTORY_DAYS: '0.5' })).toBe(0.5);
    for (const bad of ['0', '-3', 'abc', '100000'])
      expect(() => readCandleHistoryDays({ CANDLE_HISTORY_DAYS: bad })).toThrow(/CANDLE_HISTORY_DAYS/);
  });

  it('an Upbit key from the environment needs both halves; the simulator has defaults', () => {
    expect(environmentKeys({ UPBIT_ACCESS_KEY: 'a' }).live).toBeUndefined();
    expect(environmentKeys({ UPBIT_ACCESS_KEY: 'a', UPBIT_SECRET_KEY: 'b' }).live).toEqual({
      accessKey: 'a',
      secretKey: 'b',
    });
    expect(environmentKeys({}).sim).toEqual({ accessKey: 'sim-access-key', secretKey: 'sim-secret-key' });
  });
});
