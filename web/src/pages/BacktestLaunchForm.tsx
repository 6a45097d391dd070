// The Backtests page's launch form: strategy and kind, the data range (markets, timeframe, dates, with the stored
// coverage), the strategy's parameters or the search settings, and the launch (admin only).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useIsAdmin } from '../api/auth';
import { apiRequest } from '../api/client';
import { useCandleCoverage, useMarkets, useStrategies } from '../api/queries';
import {
  BACKTEST_KINDS,
  type BacktestKind,
  type BacktestRequest,
  type OptimizeMethod,
  type ParamSchema,
  type ParamValues,
  type Timeframe,
} from '../api/types';
import { coverageLabel, defaultsFromCoverage, timeframesWithData } from '../backtest-defaults';
import { ErrorNotice } from '../components/ErrorNotice';
import { Panel } from '../components/Panel';
import { ParamFields } from '../components/ParamFields';
import { useStrategyText } from '../i18n/strategies-ko';
import { paramDefaults, paramProblems } from '../strategy-params';

// Kinds that search the parameter space use the schema's ranges; the others run the given values.
const SEARCHES: BacktestKind[] = ['optimize', 'walkforward'];
const OBJECTIVES = ['sharpe', 'sortino', 'calmar', 'totalReturn', 'profitFactor'];

function isoDay(offsetDays: number): string {
  return new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
}

const inputClass = 'w-full rounded border border-slate-700 bg-slate-950 px-2 py-1 text-sm';

/** The form that launches a backtest, optimisation or walk-forward run (admin only). */
export function LaunchForm() {
  const { t } = useTranslation();
  const textOf = useStrategyText();
  const strategies = useStrategies();
  const coverage = useCandleCoverage();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [strategyId, setStrategyId] = useState('');
  const [kind, setKind] = useState<BacktestKind>('backtest');
  const [marketText, setMarketText] = useState('KRW-BTC');
  const [timeframe, setTimeframe] = useState<Timeframe>('minute60');
  const [from, setFrom] = useState(isoDay(-90));
  const [to, setTo] = useState(isoDay(0));
  const [edited, setEdited] = useState<Record<string, ParamValues>>({});
  const [method, setMethod] = useState<OptimizeMethod>('tpe');
  const [budget, setBudget] = useState(50);
  const [objective, setObjective] = useState('sharpe');
  // Until the user changes markets, timeframe or dates, the form follows what is stored, so its defaults run.
  const [touched, setTouched] = useState(false);
  const touch =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      setTouched(true);
      set(v);
    };
  useEffect(() => {
    const d = coverage.data && defaultsFromCoverage(coverage.data);
    if (touched || !d) return;
    setMarketText(d.markets.join(','));
    setTimeframe(d.timeframe);
    setFrom(d.from);
    setTo(d.to);
  }, [coverage.data, touched]);

  const strategy = strategies.data?.find((s) => s.id === strategyId) ?? strategies.data?.[0];
  const schema: ParamSchema | undefined = strategy?.params;
  const values: ParamValues = useMemo(
    () => ({ ...(schema ? paramDefaults(schema) : {}), ...(strategy ? edited[strategy.id] : {}) }),
    [schema, strategy, edited],
  );
  const searches = SEARCHES.includes(kind);
  const marketList = marketText
    .split(/[\s,]+/)
    .map((m) => m.trim().toUpperCase())
    .filter(Boolean);
  const problems = [
    ...(schema && !searches ? paramProblems(schema, values) : []),
    ...(marketList.length === 0 ? [t('backtests.needMarket')] : []),
    ...(from >= to ? [t('backtests.fromBeforeTo')] : []),
    ...(searches && (!Number.isInteger(budget) || budget < 1) ? [t('backtests.budgetWhole')] : []),
  ];

  const isAdmin = useIsAdmin();
  const launch = useMutation({
    mutationFn: (request: BacktestRequest) => apiRequest<{ id: string }>('POST', '/api/backtests', request),
    onSuccess: (created) => {
      queryClient.invalidateQueries({ queryKey: ['backtests'] });
      if (created?.id) void navigate({ to: '/backtests/$id', params: { id: created.id } });
    },
  });

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (!strategy || problems.length > 0) return;
    launch.mutate({
      kind,
      strategy: strategy.id,
      params: searches ? undefined : values,
      markets: marketList,
      timeframe,
      from: new Date(`${from}T00:00:00Z`).toISOString(),
      to: new Date(`${to}T00:00:00Z`).toISOString(),
      optimize: searches ? { method, budget, objective } : undefined,
    });
  };

  const setParam = (name: string, value: number | boolean) => {
    if (!strategy) return;
    setEdited((all) => ({ ...all, [strategy.id]: { ...all[strategy.id], [name]: value } }));
  };

  return (
    <Panel title={t('backtests.launchTitle')} testId="backtest-form-panel">
      <ErrorNotice error={strategies.error} what={t('backtests.loadingStrategies')} />
      <form className="space-y-3" data-testid="backtest-form" onSubmit={submit}>
        <div className="grid grid-cols-2 gap-2">
          <label className="text-xs text-slate-400">
            {t('backtests.strategy')}
            <select
              data-testid="backtest-strategy"
              value={strategy?.id ?? ''}
              onChange={(e) => setStrategyId(e.target.value)}
              className={inputClass}
            >
              {strategies.data?.map((s) => (
                <option key={s.id} value={s.id}>
                  {textOf(s).name}
                </option>
              ))}
            </select>
          </label>
          <label className="text-xs text-slate-400">
            {t('backtests.kind')}
            <select
              data-testid="backtest-kind"
              value={kind}
              onChange={(e) => setKind(e.target.value as BacktestKind)}
              className={inputClass}
            >
              {BACKTEST_KINDS.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </label>
        </div>
        {strategy && <p className="text-xs text-slate-500">{textOf(strategy).description}</p>}
        <DataRangeFields
          range={{ marketText, timeframe, from, to }}
          onChange={{
            marketText: touch(setMarketText),
            timeframe: touch(setTimeframe),
            from: touch(setFrom),
            to: touch(setTo),
          }}
        />

        {searches ? (
          <SearchFields
            search={{ method, budget, objective }}
            onChange={{ method: setMethod, budget: setBudget, objective: setObjective }}
          />
        ) : (
          schema && (
            <fieldset className="space-y-2 rounded border border-slate-800 p-2" data-testid="backtest-params">
              <legend className="px-1 text-xs text-slate-400">{t('backtests.parameters')}</legend>
              <ParamFields
                schema={schema}
                values={values}
                onChange={setParam}
                idPrefix="backtest-param"
                strategyId={strategy?.id}
              />
            </fieldset>
          )
        )}

        {problems.length > 0 && (
          <ul className="list-inside list-disc text-xs text-amber-300" data-testid="backtest-form-problems">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
        <ErrorNotice error={launch.error} what={t('backtests.launchFailed')} />
        <button
          type="submit"
          data-testid="backtest-submit"
          disabled={!isAdmin || !strategy || problems.length > 0 || launch.isPending}
          title={isAdmin ? undefined : t('common.viewerOnly')}
          className="w-full rounded bg-sky-600 px-3 py-2 font-semibold text-white hover:bg-sky-500 disabled:opacity-40"
        >
          {launch.isPending ? t('backtests.launching') : t('backtests.launch', { kind })}
        </button>
        {!isAdmin && (
          <p className="text-sm text-amber-200" data-testid="backtest-viewer">
            {t('common.viewerOnly')}
          </p>
        )}
      </form>
    </Panel>
  );
}

interface DataRange {
  marketText: string;
  timeframe: Timeframe;
  from: string;
  to: string;
}

/** Markets, timeframe and dates, with what the database holds for them (the data a run reads). */
function DataRangeFields({
  range: { marketText, timeframe, from, to },
  onChange,
}: {
  range: DataRange;
  onChange: { [K in keyof DataRange]: (v: DataRange[K]) => void };
}) {
  const { t } = useTranslation();
  const markets = useMarkets();
  const coverage = useCandleCoverage();
  const stored = coverage.data?.filter((c) => c.timeframe === timeframe) ?? [];
  return (
    <>
      <label className="block text-xs text-slate-400">
        {t('backtests.markets')}
        <input
          data-testid="backtest-markets"
          list="backtest-market-list"
          value={marketText}
          onChange={(e) => onChange.marketText(e.target.value)}
          className={inputClass}
        />
        <datalist id="backtest-market-list">
          {stored.map((c) => (
            <option key={`stored-${c.market}`} value={c.market}>
              {coverageLabel(c)}
            </option>
          ))}
          {markets.data?.map((m) => (
            <option key={m.market} value={m.market}>
              {m.koreanName}
            </option>
          ))}
        </datalist>
      </label>
      <div className="grid grid-cols-3 gap-2">
        <label className="text-xs text-slate-400">
          {t('backtests.timeframe')}
          <select
            data-testid="backtest-timeframe"
            value={timeframe}
            onChange={(e) => onChange.timeframe(e.target.value as Timeframe)}
            className={inputClass}
          >
            {timeframesWithData(coverage.data).map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label className="text-xs text-slate-400">
          {t('backtests.from')}
          <input
            type="date"
            data-testid="backtest-from"
            value={from}
            onChange={(e) => onChange.from(e.target.value)}
            className={inputClass}
          />
        </label>
        <label className="text-xs text-slate-400">
          {t('backtests.to')}
          <input
            type="date"
            data-testid="backtest-to"
            value={to}
            onChange={(e) => onChange.to(e.target.value)}
            className={inputClass}
          />
        </label>
      </div>

      <div className="text-xs text-slate-500" data-testid="backtest-coverage">
        {coverage.data?.length === 0 ? (
          t('backtests.noCandles')
        ) : (
          <>
            {t('backtests.storedCandles', { timeframe })}
            {stored.length === 0
              ? t('backtests.storedNone')
              : stored.map((c) => `${c.market} ${coverageLabel(c)}`).join('; ')}
          </>
        )}
      </div>
    </>
  );
}

interface Search {
  method: OptimizeMethod;
  budget: number;
  objective: string;
}

/** How an optimisation or walk-forward searches: method, number of trials, objective. */
function SearchFields({
  search: { method, budget, objective },
  onChange,
}: {
  search: Search;
  onChange: { [K in keyof Search]: (v: Search[K]) => void };
}) {
  const { t } = useTranslation();
  return (
    <fieldset className="space-y-2 rounded border border-slate-800 p-2">
      <legend className="px-1 text-xs text-slate-400">{t('backtests.search')}</legend>
      <div className="grid grid-cols-3 gap-2">
        <label className="text-xs text-slate-400">
          {t('backtests.method')}
          <select
            data-testid="backtest-method"
            value={method}
            onChange={(e) => onChange.method(e.target.value as OptimizeMethod)}
            className={inputClass}
          >
            <option value="tpe">{t('backtests.tpe')}</option>
            <option value="random">random</option>
            <option value="grid">grid</option>
          </select>
        </label>
        <label className="text-xs text-slate-400">
          {t('backtests.budget')}
          <input
            type="number"
            min={1}
            step={1}
            data-testid="backtest-budget"
            value={budget}
            onChange={(e) => onChange.budget(e.target.valueAsNumber)}
            className={inputClass}
          />
        </label>
        <label className="text-xs text-slate-400">
          {t('backtests.objective')}
          <input
            data-testid="backtest-objective"
            list="backtest-objectives"
            value={objective}
            onChange={(e) => onChange.objective(e.target.value)}
            className={inputClass}
          />
          <datalist id="backtest-objectives">
            {OBJECTIVES.map((o) => (
              <option key={o} value={o} />
            ))}
          </datalist>
        </label>
      </div>
    </fieldset>
  );
}
