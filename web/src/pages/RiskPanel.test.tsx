import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { SessionRisk } from '../api/types';
import { setLanguage } from '../i18n';
import { RiskPanel } from './SessionPage';

const risk: SessionRisk = {
  equityKrw: '10234567.89',
  freeKrw: '5000000',
  accountError: null,
  dayOpenEquityKrw: '10000000',
  todayRealizedPnlKrw: '-120000',
  dailyLossLimitKrw: '300000',
  lossHeadroomKrw: '180000',
  openPositions: 2,
  // A drawdown halt is an object (core/risk Halt), not a string.
  halts: [{ kind: 'drawdown', sinceTs: Date.UTC(2026, 11, 6, 3), reason: 'MaxDrawdown: equity 9000000 is 10% below' }],
  volatilityHaltUntil: null,
};

describe('session risk panel', () => {
  it('shows equity, P&L and loss-limit headroom in whole won, and a drawdown halt without crashing', () => {
    setLanguage('en');
    const html = renderToStaticMarkup(<RiskPanel risk={risk} />);
    expect(html).toContain('10,234,568');
    expect(html).toContain('-120,000');
    expect(html).toContain('180,000 / 300,000');
    expect(html).toMatch(/data-value="drawdown"[^>]*>drawdown · since /);
    expect(html).toContain('MaxDrawdown: equity 9000000 is 10% below');
  });

  it('speaks Korean when Korean is chosen', () => {
    setLanguage('ko');
    const html = renderToStaticMarkup(<RiskPanel risk={risk} />);
    expect(html).toContain('평가금액');
    expect(html).toContain('낙폭');
    setLanguage('en');
  });
});
