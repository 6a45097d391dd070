// A backtest run's trades on the candles it ran over: one market at a time, entries and exits as markers on the
// stored candles of the run's timeframe and range (merged when the range has more bars than a chart shows).
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useBacktestCandles } from '../api/queries';
import type { BacktestTrade } from '../api/types';
import { EChart } from '../charts/EChart';
import { ErrorNotice } from '../components/ErrorNotice';
import { Panel } from '../components/Panel';
import { formatQuantity, toMillis, toNumber } from '../format';
import { candleOption, type FillPoint } from './ChartPage';

/** Entries as buys and exits as sells of one market, as the candle chart marks fills. */
export function tradePoints(trades: BacktestTrade[], market: string): { buys: FillPoint[]; sells: FillPoint[] } {
  const buys: FillPoint[] = [];
  const sells: FillPoint[] = [];
  for (const tr of trades) {
    if (tr.market !== market) continue;
    const entry = toNumber(tr.entryPrice);
    const exit = toNumber(tr.exitPrice);
    const volume = formatQuantity(tr.volume);
    if (entry !== null) buys.push([toMillis(tr.entryTs), entry, volume]);
    if (exit !== null) sells.push([toMillis(tr.exitTs), exit, volume]);
  }
  return { buys, sells };
}

export function TradeChartPanel(props: { runId: string; markets: string[]; trades: BacktestTrade[] }) {
  const { t } = useTranslation();
  const traded = props.markets.filter((m) => props.trades.some((tr) => tr.market === m));
  const [picked, setPicked] = useState<string>();
  const market = picked ?? traded[0] ?? props.markets[0];
  const candles = useBacktestCandles(props.runId, market);
  const option = useMemo(
    () =>
      candles.data && market
        ? candleOption(market, candles.data.candles, tradePoints(props.trades, market), t)
        : undefined,
    [candles.data, market, props.trades, t],
  );
  return (
    <Panel
      title={t('backtests.tradeChart')}
      testId="backtest-trade-chart"
      actions={
        <select
          aria-label={t('backtests.tradeChartMarket')}
          data-testid="backtest-trade-chart-market"
          value={market ?? ''}
          onChange={(e) => setPicked(e.target.value)}
          className="rounded border border-slate-700 bg-slate-950 px-2 py-1 text-sm"
        >
          {props.markets.map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
      }
    >
      <ErrorNotice error={candles.error} what={t('backtests.loadingCandles')} />
      {candles.data && candles.data.barsPerCandle > 1 && (
        <p className="text-xs text-slate-500" data-testid="backtest-trade-chart-merged">
          {t('backtests.barsPerCandle', { count: candles.data.barsPerCandle })}
        </p>
      )}
      {option && <EChart option={option} height={420} testId="backtest-trade-chart-canvas" />}
    </Panel>
  );
}
