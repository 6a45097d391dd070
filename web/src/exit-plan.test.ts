import { describe, expect, it } from 'vitest';
import type { PositionView } from './api/types';
import { exitPlanLines } from './exit-plan';
import { i18next, setLanguage } from './i18n';

// A plan as the position workflow records it (core/risk ExitPlan, as JSON).
const plan: PositionView['exitPlan'] = {
  market: 'KRW-ETH',
  entryPrice: '5000000',
  volume: '0.01',
  remaining: '0.01',
  openedTs: Date.UTC(2026, 11, 6, 6, 0),
  minTotalKrw: '5000',
  stop: '4900000',
  ladder: [
    { level: '5100000', fraction: 0.5, done: true },
    { level: '5200000', fraction: 0.5, done: false },
  ],
  atr: '40000',
  trailingAtrMultiple: 2,
  highest: '5050000',
  blowOffRsi: 85,
  timeExitTs: Date.UTC(2026, 11, 6, 9, 30),
  progressLevel: '5010000',
  done: false,
};

describe('exit plan in plain words', () => {
  it('names each level with its price, and the time exit as a date-time', () => {
    setLanguage('en');
    const t = i18next.t;
    const lines = exitPlanLines(plan, t);
    expect(lines[0]).toBe('Stop 4,900,000');
    expect(lines[1]).toBe('Take profit 5,100,000 (50%) done');
    expect(lines[2]).toBe('Take profit 5,200,000 (50%)');
    expect(lines[3]).toBe('Trailing 2 × ATR after the first take profit');
    const time = new Intl.DateTimeFormat('en-US', { dateStyle: 'short', timeStyle: 'medium', hourCycle: 'h23' }).format(
      new Date(plan.timeExitTs as number),
    );
    expect(lines[4]).toBe(`Time exit from ${time} unless the price is at least 5,010,000`);
    expect(lines[5]).toBe('Blow-off exit above RSI 85');
    expect(lines.join(' ')).not.toMatch(/e\+12|timeExitTs|=/);
  });

  it('shows the trailing stop once it took over, and nothing before the entry fills', () => {
    setLanguage('en');
    expect(exitPlanLines({ ...plan, trailingStop: '5150000' }, i18next.t)[0]).toBe('Trailing stop 5,150,000');
    expect(exitPlanLines({}, i18next.t)).toEqual([]);
  });

  it('speaks Korean when Korean is chosen', () => {
    setLanguage('ko');
    expect(exitPlanLines(plan, i18next.t)[0]).toBe('손절 4,900,000');
    setLanguage('en');
  });
});
