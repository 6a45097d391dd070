import { useNavigate } from '@tanstack/react-router';
import type { TFunction } from 'i18next';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useCandles, useMarkets, useOrders, useSessions } from '../api/queries';
import { type Candle, type OrderView, TIMEFRAMES, type Timeframe } from '../api/types';
import { type ChartOption, EChart } from '../charts/EChart';
import { ErrorNotice } from '../components/ErrorNotice';
import { Panel } from '../components/Panel';
import { formatPrice, formatQuantity, toMillis, toNumber } from '../format';

// Upbit's colours: rising and buying red, falling and selling blue.
const UP = '#ef4444';
const DOWN = '#3b82f6';

export function ChartPage(props: { market?: string; timeframe?: string; sessionId?: string }) {
  const market = props.market ?? 'KRW-BTC';
  const timeframe: Timeframe = TIMEFRAMES.includes(props.timeframe as Timeframe)
    ? (props.timeframe as Timeframe)
    : 'minute5';
  const { t } = useTranslation();
  const navigate = useNavigate();
  const markets = useMarkets();
  const sessions = useSessions();
  const candles = useCandles(market, timeframe, 200);
  const orders = useOrders(props.sessionId, 500);
  const go = (change: Partial<{ market: string; timeframe: string; sessionId: string }>) =>
    void navigate({ to: '/chart', search: { market, timeframe, sessionId: props.sessionId, ...change } });

  const fills = useMemo(
    () => (props.sessionId ? fillPoints(orders.data ?? [], market) : { buys: [], sells: [] }),
    [orders.data, market, props.sessionId],
  );
  const option = useMemo(() => candleOption(market, candles.data ?? [], fills, t), [market, candles.data, fills, t]);
  const selectClass = 'rounded border border-slate-700 bg-slate-950 px-2 py-1 text-sm';

  return (
    <Panel
      title={`${market} · ${timeframe}`}
      testId="chart-panel"
      actions={
        <>
          <select
            aria-label={t('chart.market')}
            data-testid="chart-market"
            value={market}
            onChange={(e) => go({ market: e.target.value })}
            className={selectClass}
          >
            {!markets.data?.some((m) => m.market === market) && <option value={market}>{market}</option>}
            {markets.data?.map((m) => (
              <option key={m.market} value={m.market}>
                {m.market} {m.koreanName}
                {m.warning ? ' ⚠' : ''}
              </option>
            ))}
          </select>
          <select
            aria-label={t('chart.timeframe')}
            data-testid="chart-timeframe"
            value={timeframe}
            onChange={(e) => go({ timeframe: e.target.value })}
            className={selectClass}
          >
            {TIMEFRAMES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
          <select
            aria-label={t('chart.sessionFills')}
            data-testid="chart-session"
            value={props.sessionId ?? ''}
            onChange={(e) => go({ sessionId: e.target.value || undefined })}
            className={selectClass}
          >
            <option value="">{t('chart.noFills')}</option>
            {sessions.data?.map((s) => (
              <option key={s.id} value={s.id}>
                {t('chart.fillsOf', { name: s.name, id: s.id })}
              </option>
            ))}
          </select>
        </>
      }
    >
      <div className="space-y-2">
        <ErrorNotice error={candles.error} what={t('chart.loadingCandles')} />
        <ErrorNotice error={markets.error} what={t('chart.loadingMarkets')} />
        <ErrorNotice error={props.sessionId ? orders.error : null} what={t('chart.loadingFills')} />
      </div>
      <EChart option={option} height={560} testId="candle-chart" />
      <p className="mt-1 text-xs text-slate-500" data-testid="chart-summary">
        {t('chart.candles', { count: candles.data?.length ?? 0 })}
        {props.sessionId ? t('chart.fillCounts', { buys: fills.buys.length, sells: fills.sells.length }) : ''}
      </p>
    </Panel>
  );
}

export type FillPoint = [number, number, string];

export function fillPoints(orders: OrderView[], market: string): { buys: FillPoint[]; sells: FillPoint[] } {
  const buys: FillPoint[] = [];
  const sells: FillPoint[] = [];
  for (const order of orders) {
    if (order.market !== market) continue;
    for (const fill of order.fills) {
      const price = toNumber(fill.price);
      if (price === null) continue;
      const point: FillPoint = [toMillis(fill.createdAt), price, formatQuantity(fill.volume)];
      (order.side === 'bid' ? buys : sells).push(point);
    }
  }
  return { buys, sells };
}

export function candleOption(
  market: string,
  candles: Candle[],
  fills: { buys: FillPoint[]; sells: FillPoint[] },
  t: TFunction,
): ChartOption {
  const n = (v: number | string) => Number(v);
  const ohlc = candles.map((c) => [toMillis(c.ts), n(c.open), n(c.close), n(c.low), n(c.high)]);
  const volume = candles.map((c) => ({
    value: [toMillis(c.ts), n(c.volume)],
    itemStyle: { color: n(c.close) >= n(c.open) ? UP : DOWN, opacity: 0.6 },
  }));
  const fillSeries = (name: string, data: FillPoint[], color: string, symbolRotate: number) => ({
    name,
    type: 'scatter',
    data,
    symbol: 'triangle',
    symbolSize: 12,
    symbolRotate,
    itemStyle: { color, borderColor: '#f8fafc', borderWidth: 1 },
    z: 10,
    tooltip: {
      trigger: 'item',
      formatter: (p: { value: FillPoint }) => `${name} ${p.value[2]} @ ${formatPrice(p.value[1])}`,
    },
  });
  return {
    animation: false,
    legend: { top: 0, textStyle: { color: '#94a3b8' } },
    tooltip: { trigger: 'axis', axisPointer: { type: 'cross' } },
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    grid: [
      { left: 70, right: 20, top: 30, height: '62%' },
      { left: 70, right: 20, top: '76%', height: '14%' },
    ],
    xAxis: [
      { type: 'time', gridIndex: 0, scale: true, axisLabel: { show: false } },
      { type: 'time', gridIndex: 1, scale: true },
    ],
    yAxis: [
      { scale: true, gridIndex: 0, splitLine: { lineStyle: { color: '#1e293b' } } },
      { scale: true, gridIndex: 1, splitNumber: 2, axisLabel: { show: false }, splitLine: { show: false } },
    ],
    dataZoom: [
      { type: 'inside', xAxisIndex: [0, 1] },
      { type: 'slider', xAxisIndex: [0, 1], bottom: 4, height: 18 },
    ],
    series: [
      {
        name: market,
        type: 'candlestick',
        data: ohlc,
        itemStyle: { color: UP, color0: DOWN, borderColor: UP, borderColor0: DOWN },
      },
      { name: t('chart.volume'), type: 'bar', xAxisIndex: 1, yAxisIndex: 1, data: volume },
      fillSeries(t('chart.buy'), fills.buys, UP, 0),
      fillSeries(t('chart.sell'), fills.sells, DOWN, 180),
    ],
  };
}
