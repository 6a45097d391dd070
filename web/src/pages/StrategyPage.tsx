// Strategy monitor: the factor scores of each market's newest decision as a heatmap (markets x factors), and the
// candle chart of a market with the session's buys and sells. Loaded lazily (ECharts).
import { Link, useNavigate } from '@tanstack/react-router';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useCandles, useDecisions, useOrders, useSessions } from '../api/queries';
import { type ChartOption, EChart } from '../charts/EChart';
import { ErrorNotice } from '../components/ErrorNotice';
import { Panel } from '../components/Panel';
import { WorkflowLink } from '../components/WorkflowLink';
import { type FactorMatrix, factorMatrix } from '../factor-matrix';
import { formatMetric, formatTime } from '../format';
import { candleOption, fillPoints } from './ChartPage';

const selectClass = 'rounded border border-slate-700 bg-slate-950 px-2 py-1 text-sm';

export function StrategyPage(props: { sessionId?: string; market?: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const sessions = useSessions();
  const sessionId = props.sessionId ?? sessions.data?.[0]?.id;
  const session = sessions.data?.find((s) => s.id === sessionId);
  const decisions = useDecisions(sessionId, 500);
  const matrix = useMemo(() => factorMatrix(decisions.data ?? []), [decisions.data]);
  const market = props.market ?? matrix.markets[0];
  const go = (change: { sessionId?: string; market?: string }) =>
    void navigate({ to: '/strategy', search: { sessionId, market: props.market, ...change } });

  return (
    <div className="space-y-4">
      <Panel
        title={t('strategy.heatmapTitle')}
        testId="strategy-heatmap-panel"
        actions={
          <>
            {sessionId && <WorkflowLink workflowId={`session-${sessionId}`} testId="strategy-temporal-link" />}
            <select
              aria-label={t('orders.session')}
              data-testid="strategy-session"
              value={sessionId ?? ''}
              onChange={(e) => go({ sessionId: e.target.value, market: undefined })}
              className={selectClass}
            >
              {sessions.data?.length === 0 && <option value="">{t('overview.noSessions')}</option>}
              {sessions.data?.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} ({s.id})
                </option>
              ))}
            </select>
          </>
        }
      >
        <ErrorNotice error={decisions.error} what={t('strategy.loadingDecisions')} />
        {session && (
          <p className="mb-2 text-sm text-slate-400" data-testid="strategy-name">
            {t('strategy.strategyIs', { strategy: session.strategy })}{' '}
            <Link to="/settings" search={{ sessionId: session.id }} className="text-sky-400 hover:underline">
              {t('strategy.switchInSettings')}
            </Link>
          </p>
        )}
        {matrix.factors.length > 0 ? (
          <Heatmap matrix={matrix} />
        ) : (
          <p className="text-sm text-slate-500" data-testid="strategy-no-factors">
            {matrix.markets.length ? t('strategy.noFactors') : t('strategy.noDecisions')}
          </p>
        )}
        <ul className="mt-2 flex flex-wrap gap-2 text-xs" data-testid="strategy-markets">
          {matrix.rows.map((d) => (
            <li key={d.market}>
              <button
                type="button"
                data-testid={`strategy-market-${d.market}`}
                aria-pressed={d.market === market}
                onClick={() => go({ market: d.market })}
                className={`rounded px-2 py-0.5 ${d.market === market ? 'bg-slate-700 text-white' : 'text-slate-400 hover:text-slate-200'}`}
                title={d.reasons.join('\n')}
              >
                {d.market} · {t(`strategy.action.${d.action}`)} · {formatMetric(d.score)} · {formatTime(d.createdAt)}
              </button>
            </li>
          ))}
        </ul>
      </Panel>
      {market && <MarketChart market={market} sessionId={sessionId} />}
    </div>
  );
}

function Heatmap(props: { matrix: FactorMatrix }) {
  const { t } = useTranslation();
  const { markets, factors, cells } = props.matrix;
  const option = useMemo<ChartOption>(() => {
    const bound = Math.max(1, ...cells.map((c) => Math.abs(c[2])));
    return {
      grid: { left: 100, right: 30, top: 10, bottom: 90 },
      tooltip: {
        formatter: (p: { value: [number, number, number] }) =>
          `${markets[p.value[1]]} · ${factors[p.value[0]]}: ${formatMetric(p.value[2])}`,
      },
      xAxis: { type: 'category', data: factors, axisLabel: { rotate: 30 } },
      yAxis: { type: 'category', data: markets },
      visualMap: {
        min: -bound,
        max: bound,
        calculable: true,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        // Korean convention: positive red, negative blue.
        inRange: { color: ['#1d4ed8', '#1e293b', '#dc2626'] },
      },
      series: [
        {
          name: t('strategy.factorScores'),
          type: 'heatmap',
          data: cells,
          label: { show: cells.length <= 200, formatter: (p: { value: number[] }) => formatMetric(p.value[2]) },
        },
      ],
    };
  }, [markets, factors, cells, t]);
  return (
    <div data-testid="strategy-heatmap" data-markets={markets.length} data-factors={factors.length}>
      <EChart option={option} height={Math.max(200, 40 + markets.length * 28 + 90)} />
    </div>
  );
}

function MarketChart(props: { market: string; sessionId?: string }) {
  const { t } = useTranslation();
  const candles = useCandles(props.market, 'minute1', 200);
  const orders = useOrders(props.sessionId, 500);
  const fills = useMemo(() => fillPoints(orders.data ?? [], props.market), [orders.data, props.market]);
  const option = useMemo(
    () => candleOption(props.market, candles.data ?? [], fills, t),
    [props.market, candles.data, fills, t],
  );
  return (
    <Panel
      title={t('strategy.chartTitle', { market: props.market })}
      testId="strategy-chart-panel"
      actions={
        <Link
          to="/chart"
          search={{ market: props.market, timeframe: 'minute1', sessionId: props.sessionId }}
          className="text-xs text-sky-400 hover:underline"
        >
          {t('strategy.openChart')}
        </Link>
      }
    >
      <ErrorNotice error={candles.error} what={t('chart.loadingCandles')} />
      <p className="mb-2 flex gap-3 text-xs text-slate-400">
        <span data-testid="strategy-candle-count">{t('chart.candles', { count: candles.data?.length ?? 0 })}</span>
        <span data-testid="strategy-fill-counts">
          {t('strategy.fillCounts', { buys: fills.buys.length, sells: fills.sells.length })}
        </span>
      </p>
      <EChart option={option} height={420} testId="strategy-candle-chart" />
    </Panel>
  );
}
