import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiRequest } from '../api/client';
import { useBacktest, useBacktests, useCandleCoverage } from '../api/queries';
import type { BacktestRun } from '../api/types';
import { compareMetrics } from '../backtest-compare';
import { type ChartOption, EChart } from '../charts/EChart';
import { DataTable } from '../components/DataTable';
import { ErrorNotice } from '../components/ErrorNotice';
import { Panel } from '../components/Panel';
import { Badge, type Tone } from '../components/StatusBadge';
import { WorkflowLink } from '../components/WorkflowLink';
import { formatMetric, formatPnl, formatPrice, formatTime, pnlClass, toMillis } from '../format';
import { LaunchForm } from './BacktestLaunchForm';
import { TradeChartPanel } from './BacktestTradeChart';

export function BacktestsPage(props: { id?: string }) {
  const { t } = useTranslation();
  return (
    <div className="grid gap-4 xl:grid-cols-[26rem_1fr]">
      <div className="space-y-4">
        <LaunchForm />
        <RunList selected={props.id} />
        <CoveragePanel />
      </div>
      <div>
        {props.id ? <RunDetail id={props.id} /> : <p className="text-sm text-slate-500">{t('backtests.pick')}</p>}
      </div>
    </div>
  );
}

/** What the candle collector (and imports) stored per market: the data backtests and re-tuning run on. */
function CoveragePanel() {
  const { t } = useTranslation();
  const coverage = useCandleCoverage();
  return (
    <Panel title={t('coverage.title')} testId="candle-coverage-panel">
      <ErrorNotice error={coverage.error} what={t('coverage.loading')} />
      <DataTable
        rows={coverage.data}
        rowKey={(c) => `${c.market} ${c.timeframe}`}
        testId="candle-coverage-table"
        empty={t('coverage.empty')}
        columns={[
          { header: t('coverage.market'), cell: (c) => c.market },
          { header: t('coverage.timeframe'), cell: (c) => c.timeframe },
          { header: t('coverage.from'), cell: (c) => formatTime(c.first) },
          { header: t('coverage.to'), cell: (c) => formatTime(c.last) },
          { header: t('coverage.candles'), numeric: true, cell: (c) => c.count },
          { header: t('coverage.missing'), numeric: true, cell: (c) => c.missing ?? '' },
          { header: t('coverage.spikes'), numeric: true, cell: (c) => c.spikes ?? '' },
        ]}
      />
    </Panel>
  );
}

const statusTone: Record<BacktestRun['status'], Tone> = {
  running: 'warn',
  completed: 'good',
  failed: 'bad',
  cancelled: 'idle',
};

function RunList(props: { selected?: string }) {
  const { t } = useTranslation();
  const runs = useBacktests();
  return (
    <Panel title={t('backtests.runs')} testId="backtest-list">
      <ErrorNotice error={runs.error} what={t('backtests.loadingRuns')} />
      <DataTable
        rows={runs.data}
        rowKey={(r) => r.id}
        testId="backtests-table"
        rowTestId="backtest-row"
        rowAttrs={(r) => ({ 'data-backtest-id': r.id, 'data-status': r.status })}
        empty={t('backtests.noRuns')}
        columns={[
          {
            header: t('backtests.colRun'),
            cell: (r) => (
              <Link
                to="/backtests/$id"
                params={{ id: r.id }}
                className={`font-mono text-xs hover:underline ${r.id === props.selected ? 'text-amber-300' : 'text-sky-400'}`}
              >
                {r.id.slice(0, 12)}
              </Link>
            ),
          },
          { header: t('backtests.colKind'), cell: (r) => r.kind },
          {
            header: t('backtests.colStatus'),
            cell: (r) => (
              <Badge tone={statusTone[r.status] ?? 'idle'} value={r.status}>
                {t(`status.${r.status}`)}
              </Badge>
            ),
          },
          { header: t('backtests.colProgress'), numeric: true, cell: (r) => `${Math.round((r.progress ?? 0) * 100)}%` },
          { header: t('backtests.colCreated'), cell: (r) => formatTime(r.createdAt) },
        ]}
      />
    </Panel>
  );
}

function RunDetail(props: { id: string }) {
  const { t } = useTranslation();
  const run = useBacktest(props.id);
  const queryClient = useQueryClient();
  const cancel = useMutation({
    mutationFn: () => apiRequest<unknown>('POST', `/api/backtests/${encodeURIComponent(props.id)}/cancel`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['backtest', props.id] }),
  });
  const r = run.data;
  return (
    <div className="space-y-4">
      <ErrorNotice error={run.error} what={t('backtests.loadingRun')} />
      {r && (
        <Panel
          title={
            <span className="flex items-center gap-2 normal-case">
              <span className="font-mono text-slate-200">{r.id}</span>
              <span>{r.kind}</span>
              <Badge tone={statusTone[r.status] ?? 'idle'} testId="backtest-status" value={r.status}>
                {t(`status.${r.status}`)}
              </Badge>
            </span>
          }
          actions={
            <>
              <WorkflowLink workflowId={r.id} testId="backtest-temporal-link" />
              {r.status === 'running' && (
                <button
                  type="button"
                  data-testid="backtest-cancel"
                  disabled={cancel.isPending}
                  onClick={() => cancel.mutate()}
                  className="rounded border border-slate-600 px-3 py-1 text-sm hover:bg-slate-800 disabled:opacity-40"
                >
                  {t('backtests.cancel')}
                </button>
              )}
            </>
          }
        >
          <ProgressBar progress={r.progress} status={r.status} />
          <ErrorNotice error={cancel.error} what={t('backtests.cancel')} />
          {r.error && (
            <p role="alert" data-testid="backtest-error" className="mt-2 font-mono text-sm text-red-300">
              {r.error}
            </p>
          )}
          {r.params && Object.keys(r.params).length > 0 && (
            <p className="mt-2 flex flex-wrap gap-1 text-xs">
              {Object.entries(r.params).map(([k, v]) => (
                <span key={k} className="rounded bg-slate-800 px-1 font-mono">
                  {k}={String(v)}
                </span>
              ))}
            </p>
          )}
        </Panel>
      )}
      {r?.metrics && <MetricsPanel metrics={r.metrics} />}
      {r?.equity && r.equity.length > 0 && <EquityPanel equity={r.equity} />}
      {r?.folds && r.folds.length > 0 && <FoldsPanel folds={r.folds} />}
      {r?.bands && <BandsPanel bands={r.bands} />}
      {r && r.status === 'completed' && <ComparePanel run={r} />}
      {r?.ranking && r.ranking.length > 0 && <RankingPanel ranking={r.ranking} />}
      {r?.trades && r.trades.length > 0 && r.markets && (
        <TradeChartPanel runId={r.id} markets={r.markets} trades={r.trades} />
      )}
      {r?.trades && <TradesPanel trades={r.trades} />}
    </div>
  );
}

function ProgressBar(props: { progress: number; status: BacktestRun['status'] }) {
  const pct = Math.max(0, Math.min(100, Math.round((props.progress ?? 0) * 100)));
  const color =
    props.status === 'failed' ? 'bg-red-600' : props.status === 'completed' ? 'bg-emerald-600' : 'bg-sky-600';
  return (
    <div className="flex items-center gap-3">
      <div
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        data-testid="backtest-progress"
        data-progress={props.progress}
        className="h-3 flex-1 overflow-hidden rounded bg-slate-800"
      >
        <div className={`h-full ${color} transition-all`} style={{ width: `${pct}%` }} />
      </div>
      <span className="w-12 text-right font-mono text-sm">{pct}%</span>
    </div>
  );
}

function MetricsPanel(props: { metrics: Record<string, number> }) {
  const { t } = useTranslation();
  return (
    <Panel title={t('backtests.metrics')} testId="backtest-metrics">
      <dl className="grid grid-cols-2 gap-x-6 gap-y-1 text-sm md:grid-cols-4">
        {Object.entries(props.metrics).map(([k, v]) => (
          <div key={k} data-testid="backtest-metric" data-metric={k}>
            <dt className="text-xs text-slate-500">{k}</dt>
            <dd className="font-mono">{formatMetric(v)}</dd>
          </div>
        ))}
      </dl>
    </Panel>
  );
}

function EquityPanel(props: { equity: NonNullable<BacktestRun['equity']> }) {
  const { t } = useTranslation();
  const { equityOption, drawdownOption } = useMemo(() => {
    const equity = props.equity.map((p) => [toMillis(p.ts), Number(p.equity)]);
    const drawdown = props.equity.map((p) => [toMillis(p.ts), Number(p.drawdown)]);
    const base = (name: string, data: number[][], color: string, area: boolean): ChartOption => ({
      animation: false,
      tooltip: { trigger: 'axis' },
      grid: { left: 80, right: 20, top: 20, bottom: 50 },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', scale: true, splitLine: { lineStyle: { color: '#1e293b' } } },
      dataZoom: [{ type: 'inside' }, { type: 'slider', height: 16, bottom: 6 }],
      series: [
        {
          name,
          type: 'line',
          data,
          showSymbol: false,
          lineStyle: { color, width: 1.5 },
          itemStyle: { color },
          areaStyle: area ? { color, opacity: 0.25 } : undefined,
        },
      ],
    });
    return {
      equityOption: base(t('backtests.equity'), equity, '#38bdf8', false),
      drawdownOption: base(t('backtests.drawdown'), drawdown, '#f87171', true),
    };
  }, [props.equity, t]);
  return (
    <Panel title={t('backtests.equityDrawdown')} testId="backtest-equity">
      <EChart option={equityOption} height={280} testId="equity-chart" />
      <EChart option={drawdownOption} height={180} testId="drawdown-chart" />
    </Panel>
  );
}

/** Monte Carlo bands: series of numbers (e.g. percentiles of equity) drawn as lines; anything else as JSON. */
function BandsPanel(props: { bands: Record<string, unknown> }) {
  const { t } = useTranslation();
  const series = Object.entries(props.bands).filter(
    (entry): entry is [string, number[]] => Array.isArray(entry[1]) && entry[1].every((v) => typeof v === 'number'),
  );
  const option: ChartOption = {
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0, textStyle: { color: '#94a3b8' } },
    grid: { left: 80, right: 20, top: 30, bottom: 30 },
    xAxis: { type: 'category', data: series[0]?.[1].map((_, i) => i) ?? [] },
    yAxis: { type: 'value', scale: true, splitLine: { lineStyle: { color: '#1e293b' } } },
    series: series.map(([name, data]) => ({ name, type: 'line', data, showSymbol: false })),
  };
  const rest = Object.fromEntries(Object.entries(props.bands).filter(([k]) => !series.some(([s]) => s === k)));
  return (
    <Panel title={t('backtests.bands')} testId="backtest-bands">
      {series.length > 0 && <EChart option={option} height={260} testId="bands-chart" />}
      {Object.keys(rest).length > 0 && (
        <pre className="max-h-64 overflow-auto text-xs text-slate-400">{JSON.stringify(rest, null, 2)}</pre>
      )}
    </Panel>
  );
}

function RankingPanel(props: { ranking: NonNullable<BacktestRun['ranking']> }) {
  const { t } = useTranslation();
  const metricKeys = Object.keys(props.ranking[0]?.metrics ?? {}).slice(0, 6);
  const rows = props.ranking.map((row, i) => ({ ...row, rank: i + 1 }));
  return (
    <Panel title={t('backtests.ranking')} testId="backtest-ranking">
      <DataTable
        rows={rows}
        rowKey={(r) => `${r.rank}`}
        testId="ranking-table"
        rowTestId="ranking-row"
        columns={[
          { header: '#', numeric: true, cell: (r) => r.rank },
          { header: t('backtests.colObjective'), numeric: true, cell: (r) => <b>{formatMetric(r.objective)}</b> },
          ...metricKeys.map((k) => ({
            header: k,
            numeric: true,
            cell: (r: (typeof rows)[number]) => formatMetric(r.metrics[k]),
          })),
          {
            header: t('backtests.colParams'),
            cell: (r) => (
              <span className="flex flex-wrap gap-1 text-[11px]">
                {Object.entries(r.params).map(([k, v]) => (
                  <span key={k} className="rounded bg-slate-800 px-1 font-mono">
                    {k}={typeof v === 'number' ? formatMetric(v) : String(v)}
                  </span>
                ))}
              </span>
            ),
          },
        ]}
      />
    </Panel>
  );
}

function TradesPanel(props: { trades: NonNullable<BacktestRun['trades']> }) {
  const { t } = useTranslation();
  const rows = props.trades.map((t, i) => ({ ...t, n: i + 1 }));
  return (
    <Panel title={t('backtests.trades', { count: rows.length })} testId="backtest-trades">
      <DataTable
        rows={rows}
        rowKey={(tr) => `${tr.n}`}
        testId="trades-table"
        rowTestId="trade-row"
        empty={t('backtests.noTrades')}
        columns={[
          { header: '#', numeric: true, cell: (tr) => tr.n },
          { header: t('backtests.colMarket'), cell: (tr) => tr.market },
          { header: t('backtests.colEntry'), cell: (tr) => formatTime(tr.entryTs) },
          { header: t('backtests.colExit'), cell: (tr) => formatTime(tr.exitTs) },
          { header: t('backtests.colEntryPrice'), numeric: true, cell: (tr) => formatPrice(tr.entryPrice) },
          { header: t('backtests.colExitPrice'), numeric: true, cell: (tr) => formatPrice(tr.exitPrice) },
          {
            header: t('backtests.colPnl'),
            numeric: true,
            cell: (tr) => <span className={pnlClass(tr.pnl)}>{formatPnl(tr.pnl)}</span>,
          },
          { header: t('backtests.colEntryReason'), cell: (tr) => <span className="text-xs">{tr.entryReason}</span> },
          { header: t('backtests.colExitReason'), cell: (tr) => <span className="text-xs">{tr.exitReason}</span> },
        ]}
      />
    </Panel>
  );
}

/** Fold metrics shown in the table when the runs have them; the rest stay in the run's metrics. */
const FOLD_METRICS = ['totalReturnPct', 'sharpe', 'maxDrawdownPct', 'trades', 'winRate'];

function FoldsPanel(props: { folds: NonNullable<BacktestRun['folds']> }) {
  const { t } = useTranslation();
  const present = Object.keys(props.folds[0]?.testMetrics ?? {});
  const metrics = FOLD_METRICS.filter((m) => present.includes(m));
  const shown = metrics.length ? metrics : present.slice(0, 4);
  const day = (ts: number) => new Date(ts).toISOString().slice(0, 10);
  return (
    <Panel title={t('backtests.folds')} testId="backtest-folds">
      <DataTable
        rows={props.folds}
        rowKey={(f) => String(f.index)}
        testId="backtest-folds-table"
        rowTestId="backtest-fold-row"
        columns={[
          { header: t('backtests.colFold'), cell: (f) => f.index + 1 },
          { header: t('backtests.colTrain'), cell: (f) => `${day(f.train.from)} – ${day(f.train.to)}` },
          { header: t('backtests.colTest'), cell: (f) => `${day(f.test.from)} – ${day(f.test.to)}` },
          {
            header: t('backtests.colBestParams'),
            cell: (f) => (
              <span className="font-mono text-xs">
                {Object.entries(f.bestParams)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(' ')}
              </span>
            ),
          },
          { header: t('backtests.colTrainScore'), numeric: true, cell: (f) => formatMetric(f.trainScore) },
          ...shown.map((m) => ({
            header: m,
            numeric: true,
            cell: (f: NonNullable<BacktestRun['folds']>[number]) => formatMetric(f.testMetrics[m]),
          })),
        ]}
      />
    </Panel>
  );
}

/** This run next to another completed run: metrics side by side, and both equity curves on one chart. */
function ComparePanel(props: { run: BacktestRun }) {
  const { t } = useTranslation();
  const runs = useBacktests();
  const [otherId, setOtherId] = useState('');
  const other = useBacktest(otherId || props.run.id);
  const b = otherId && other.data?.id === otherId ? other.data : undefined;
  const rows = useMemo(() => (b ? compareMetrics(props.run.metrics, b.metrics) : []), [props.run.metrics, b]);
  const option = useMemo<ChartOption | null>(() => {
    if (!b) return null;
    const line = (name: string, equity: BacktestRun['equity'], color: string) => ({
      name,
      type: 'line',
      showSymbol: false,
      data: (equity ?? []).map((p) => [toMillis(p.ts), Number(p.equity)]),
      lineStyle: { color, width: 1.5 },
      itemStyle: { color },
    });
    return {
      animation: false,
      tooltip: { trigger: 'axis' },
      legend: { textStyle: { color: '#cbd5e1' } },
      grid: { left: 80, right: 20, top: 30, bottom: 30 },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', scale: true, splitLine: { lineStyle: { color: '#1e293b' } } },
      series: [line(props.run.id, props.run.equity, '#38bdf8'), line(b.id, b.equity, '#f59e0b')],
    };
  }, [props.run, b]);
  const candidates = runs.data?.filter((x) => x.id !== props.run.id && x.status === 'completed') ?? [];
  return (
    <Panel
      title={t('backtests.compare')}
      testId="backtest-compare"
      actions={
        <select
          aria-label={t('backtests.compareWith')}
          data-testid="backtest-compare-with"
          value={otherId}
          onChange={(e) => setOtherId(e.target.value)}
          className="rounded border border-slate-700 bg-slate-950 px-2 py-1 text-sm"
        >
          <option value="">{t('backtests.compareWith')}</option>
          {candidates.map((x) => (
            <option key={x.id} value={x.id}>
              {x.id} · {x.kind} · {x.strategy ?? ''}
            </option>
          ))}
        </select>
      }
    >
      {!b ? (
        <p className="text-sm text-slate-500">
          {candidates.length ? t('backtests.comparePick') : t('backtests.compareNone')}
        </p>
      ) : (
        <>
          <DataTable
            rows={rows}
            rowKey={(r) => r.name}
            testId="backtest-compare-table"
            rowTestId="backtest-compare-row"
            rowAttrs={(r) => ({ 'data-metric': r.name })}
            columns={[
              { header: t('backtests.colMetric'), cell: (r) => r.name },
              { header: props.run.id, numeric: true, cell: (r) => formatMetric(r.a) },
              { header: b.id, numeric: true, cell: (r) => formatMetric(r.b) },
              {
                header: t('backtests.colDiff'),
                numeric: true,
                cell: (r) => <span className={pnlClass(r.diff)}>{formatMetric(r.diff)}</span>,
              },
            ]}
          />
          {option && <EChart option={option} height={260} testId="compare-equity-chart" />}
        </>
      )}
    </Panel>
  );
}
