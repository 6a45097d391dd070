import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useMemo, useState, useSyncExternalStore } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { authSession, subscribeAuth } from '../api/auth';
import { apiRequest } from '../api/client';
import { useMarkets, useSessionSetup, useStrategies, useUniverse } from '../api/queries';
import type { ParamValues, Session, SessionPreview, SessionSetup, TradingMode } from '../api/types';
import { ErrorNotice } from '../components/ErrorNotice';
import { Panel } from '../components/Panel';
import { ParamFields } from '../components/ParamFields';
import { formatKrw, formatPct } from '../format';
import { useStrategyText } from '../i18n/strategies-ko';
import { paramDefaults, paramProblems } from '../strategy-params';

// The risk limits and order settings the form offers, each explained (riskField.* / orderField.*);
// the rest keep the strategy's defaults.
export const RISK_FIELDS = [
  'riskPerTradePct',
  'maxOpenPositions',
  'maxCoinWeightPct',
  'maxTotalExposurePct',
  'maxOrderKrw',
  'maxCapitalKrw',
  'dailyLossLimitPct',
  'maxDrawdownPct',
  'cooldownAfterLossMinutes',
  'maxEntriesPerCoinPerDay',
] as const;
type RiskField = (typeof RISK_FIELDS)[number];
const ORDER_NUMBERS = ['timeoutSec', 'maxSlippagePct', 'entryTicksAboveBid'] as const;

const inputClass = 'w-full rounded border border-slate-700 bg-slate-950 px-2 py-1 text-sm';

/** The body of POST /api/sessions (and of its preview and live confirmation). */
interface StartRequest {
  name: string;
  mode: TradingMode;
  strategy: string;
  config: Record<string, unknown>;
}

export function NewSessionPage() {
  const { t } = useTranslation();
  const isAdmin = useSyncExternalStore(subscribeAuth, authSession)?.role === 'admin';
  const strategies = useStrategies();
  const [strategyId, setStrategyId] = useState<string>();
  const strategy = strategies.data?.find((s) => s.id === strategyId) ?? strategies.data?.[0];
  const setup = useSessionSetup(strategy?.id);
  return (
    <div className="space-y-4">
      <Panel title={t('newSession.title')} testId="new-session-panel">
        {!isAdmin && (
          <p
            className="mb-3 rounded border border-amber-700 bg-amber-950 px-3 py-2 text-sm text-amber-200"
            data-testid="new-session-viewer"
          >
            {t('newSession.viewerReason')}
          </p>
        )}
        <ErrorNotice error={strategies.error} what={t('backtests.loadingStrategies')} />
        <ErrorNotice error={setup.error} what={t('newSession.title')} />
        {strategy && setup.data && (
          <SessionForm
            key={strategy.id}
            isAdmin={isAdmin}
            strategies={strategies.data ?? []}
            strategy={strategy}
            onStrategy={setStrategyId}
            setup={setup.data}
          />
        )}
      </Panel>
    </div>
  );
}

type StrategyInfo = NonNullable<ReturnType<typeof useStrategies>['data']>[number];

function SessionForm(props: {
  isAdmin: boolean;
  strategies: StrategyInfo[];
  strategy: StrategyInfo;
  onStrategy: (id: string) => void;
  setup: SessionSetup;
}) {
  const { t } = useTranslation();
  const textOf = useStrategyText();
  const { strategy, setup } = props;
  const [name, setName] = useState(`${strategy.id}-1`);
  const [params, setParams] = useState<ParamValues>(() => paramDefaults(strategy.params));
  const [marketMode, setMarketMode] = useState<'top' | 'pick'>('top');
  const [topN, setTopN] = useState(setup.defaults.universeSize);
  const [picked, setPicked] = useState<string[]>([]);
  const [risk, setRisk] = useState<Partial<Record<RiskField, number>>>({});
  const [order, setOrder] = useState<Record<string, number | boolean | undefined>>({});
  const [mode, setMode] = useState<TradingMode>(setup.defaultMode === 'live' ? 'sim' : setup.defaultMode);

  const request: StartRequest = useMemo(
    () => ({
      name: name.trim(),
      mode,
      strategy: strategy.id,
      config: {
        strategyParams: params,
        markets: marketMode === 'pick' ? picked : [],
        universeSize: topN,
        risk,
        order,
        liveConfirmed: mode === 'live',
      },
    }),
    [name, mode, strategy.id, params, marketMode, picked, topN, risk, order],
  );
  const problems = [
    ...paramProblems(strategy.params, params),
    ...(marketMode === 'pick' && picked.length === 0 ? [t('backtests.needMarket')] : []),
  ];

  const preview = useMutation({
    mutationFn: (body: StartRequest) => apiRequest<SessionPreview>('POST', '/api/sessions/preview', body),
  });
  const previewedFor = preview.data && preview.variables ? JSON.stringify(preview.variables) : null;
  const fresh = previewedFor === JSON.stringify(request);

  return (
    <form className="space-y-4" data-testid="new-session-form" onSubmit={(e) => e.preventDefault()}>
      <fieldset disabled={!props.isAdmin} className="grid gap-4 lg:grid-cols-2">
        <div className="space-y-3">
          <label className="block text-xs text-slate-400">
            {t('newSession.name')}
            <input
              data-testid="new-session-name"
              value={name}
              maxLength={80}
              onChange={(e) => setName(e.target.value)}
              className={inputClass}
            />
          </label>
          <label className="block text-xs text-slate-400">
            {t('newSession.strategy')}
            <select
              data-testid="new-session-strategy"
              value={strategy.id}
              onChange={(e) => props.onStrategy(e.target.value)}
              className={inputClass}
            >
              {props.strategies.map((s) => (
                <option key={s.id} value={s.id}>
                  {textOf(s).name}
                </option>
              ))}
            </select>
          </label>
          <p className="text-sm text-slate-300" data-testid="new-session-strategy-description">
            {textOf(strategy).description}
          </p>
          {Object.keys(strategy.params.properties).length > 0 && (
            <fieldset className="space-y-2 rounded border border-slate-800 p-2" data-testid="new-session-params">
              <legend className="px-1 text-xs text-slate-400">{t('newSession.parameters')}</legend>
              <ParamFields
                schema={strategy.params}
                values={params}
                onChange={(k, v) => setParams((p) => ({ ...p, [k]: v }))}
                idPrefix="new-session-param"
                strategyId={strategy.id}
              />
            </fieldset>
          )}
          <MarketPicker
            mode={marketMode}
            onMode={setMarketMode}
            topN={topN}
            onTopN={setTopN}
            picked={picked}
            onPicked={setPicked}
          />
        </div>
        <div className="space-y-3">
          <fieldset className="space-y-2 rounded border border-slate-800 p-2" data-testid="new-session-risk">
            <legend className="px-1 text-xs text-slate-400">{t('newSession.riskLimits')}</legend>
            {RISK_FIELDS.map((field) => (
              <NumberField
                key={field}
                id={`new-session-risk-${field}`}
                label={t(`riskField.${field}`)}
                defaultValue={(setup.defaults.risk[field] as number | undefined) ?? 0}
                value={risk[field]}
                onChange={(v) => setRisk((r) => ({ ...r, [field]: v }))}
              />
            ))}
          </fieldset>
          <fieldset className="space-y-2 rounded border border-slate-800 p-2" data-testid="new-session-order">
            <legend className="px-1 text-xs text-slate-400">{t('newSession.orderSettings')}</legend>
            {ORDER_NUMBERS.map((field) => (
              <NumberField
                key={field}
                id={`new-session-order-${field}`}
                label={t(`orderField.${field}`)}
                defaultValue={setup.defaults.order[field]}
                value={order[field] as number | undefined}
                onChange={(v) => setOrder((o) => ({ ...o, [field]: v }))}
              />
            ))}
            <label className="flex items-center justify-between gap-2 text-sm">
              <span>
                {t('orderField.fallbackToMarket')}{' '}
                <span className="text-xs text-slate-500">
                  {t('newSession.defaultIs', { value: String(setup.defaults.order.fallbackToMarket) })}
                </span>
              </span>
              <input
                type="checkbox"
                data-testid="new-session-order-fallbackToMarket"
                checked={Boolean(order.fallbackToMarket ?? setup.defaults.order.fallbackToMarket)}
                onChange={(e) => setOrder((o) => ({ ...o, fallbackToMarket: e.target.checked }))}
              />
            </label>
          </fieldset>
          <fieldset className="space-y-1 rounded border border-slate-800 p-2">
            <legend className="px-1 text-xs text-slate-400">{t('newSession.mode')}</legend>
            {(['sim', 'paper', 'live'] as const).map((m) => (
              <label key={m} className="flex items-center gap-2 text-sm">
                <input
                  type="radio"
                  name="new-session-mode"
                  data-testid={`new-session-mode-${m}`}
                  checked={mode === m}
                  disabled={m === 'live' && !setup.liveAllowed}
                  onChange={() => setMode(m)}
                />
                {m === 'live' ? t('newSession.livePick') : t(`mode.${m}`)}
              </label>
            ))}
            {!setup.liveAllowed && (
              <p className="text-xs text-slate-500" data-testid="new-session-live-blocked">
                {t('newSession.liveBlocked', {
                  reason: setup.liveBlocked ? t(`newSession.liveBlockedWhy.${setup.liveBlocked}`) : '',
                })}
              </p>
            )}
          </fieldset>
        </div>
      </fieldset>
      {problems.length > 0 && (
        <ul className="list-inside list-disc text-xs text-amber-300" data-testid="new-session-problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div className="flex flex-wrap items-center gap-2">
        <button
          type="button"
          data-testid="new-session-preview"
          disabled={!props.isAdmin || problems.length > 0 || preview.isPending}
          onClick={() => preview.mutate(request)}
          className="rounded border border-sky-600 px-4 py-2 text-sm text-sky-200 hover:bg-sky-950 disabled:opacity-40"
        >
          {preview.isPending ? t('newSession.previewing') : t('newSession.preview')}
        </button>
        <StartButton request={request} ready={props.isAdmin && fresh && problems.length === 0} />
      </div>
      <ErrorNotice error={preview.error} what={t('newSession.previewFailed')} />
      {preview.data && <PreviewPanel preview={preview.data} fresh={fresh} />}
    </form>
  );
}

/** A number with its default shown beside it; empty means the default. */
export function NumberField(props: {
  id: string;
  label: string;
  defaultValue: number;
  value: number | undefined;
  onChange: (value: number | undefined) => void;
  /** Said after the label instead of "default …" (e.g. the value a running session has now). */
  hint?: string;
}) {
  const { t } = useTranslation();
  return (
    <div className="grid grid-cols-[1fr_8rem] items-center gap-2 text-sm">
      <label htmlFor={props.id}>
        {props.label}{' '}
        <span className="text-xs text-slate-500">
          {props.hint ?? t('newSession.defaultIs', { value: props.defaultValue })}
        </span>
      </label>
      <input
        id={props.id}
        type="number"
        step="any"
        data-testid={props.id}
        placeholder={String(props.defaultValue)}
        value={props.value === undefined || Number.isNaN(props.value) ? '' : props.value}
        onChange={(e) => props.onChange(e.target.value === '' ? undefined : e.target.valueAsNumber)}
        className={`${inputClass} text-right font-mono`}
      />
    </div>
  );
}

/** Top N of the screened universe, or markets picked from it (from every listed market before a screen). */
function MarketPicker(props: {
  mode: 'top' | 'pick';
  onMode: (mode: 'top' | 'pick') => void;
  topN: number;
  onTopN: (n: number) => void;
  picked: string[];
  onPicked: (markets: string[]) => void;
}) {
  const { t } = useTranslation();
  const universe = useUniverse();
  const markets = useMarkets();
  const rows = universe.data?.selected.length
    ? universe.data.selected.map((u) => ({
        market: u.market,
        detail: [
          t('newSession.value24h', { value: formatKrw(u.value24hKrw) }),
          u.spreadPct === null ? null : t('newSession.spread', { value: formatPct(u.spreadPct, 3) }),
        ]
          .filter(Boolean)
          .join(' · '),
      }))
    : (markets.data ?? []).map((m) => ({ market: m.market, detail: m.koreanName }));
  const top = universe.data?.selected.slice(0, props.topN).map((u) => u.market);
  const toggle = (market: string) =>
    props.onPicked(
      props.picked.includes(market) ? props.picked.filter((m) => m !== market) : [...props.picked, market],
    );
  return (
    <fieldset className="space-y-2 rounded border border-slate-800 p-2" data-testid="new-session-markets">
      <legend className="px-1 text-xs text-slate-400">{t('newSession.markets')}</legend>
      <label className="flex items-center gap-2 text-sm">
        <input
          type="radio"
          name="new-session-markets"
          data-testid="new-session-markets-top"
          checked={props.mode === 'top'}
          onChange={() => props.onMode('top')}
        />
        {t('newSession.topN')}
        <input
          type="number"
          min={1}
          max={100}
          step={1}
          aria-label={t('newSession.topNCount')}
          data-testid="new-session-top-n"
          value={props.topN}
          onChange={(e) => props.onTopN(e.target.valueAsNumber)}
          className="w-20 rounded border border-slate-700 bg-slate-950 px-2 py-0.5 text-right font-mono"
        />
      </label>
      {props.mode === 'top' && (
        <p className="text-xs text-slate-500">
          {top?.length
            ? t('newSession.topNWillTrade', { count: props.topN, markets: top.join(', ') })
            : t('newSession.topNUnknown', { count: props.topN })}
        </p>
      )}
      <label className="flex items-center gap-2 text-sm">
        <input
          type="radio"
          name="new-session-markets"
          data-testid="new-session-markets-pick"
          checked={props.mode === 'pick'}
          onChange={() => props.onMode('pick')}
        />
        {t('newSession.pick')}
      </label>
      {props.mode === 'pick' && (
        <div className="max-h-64 space-y-0.5 overflow-y-auto pl-6">
          {!universe.data?.selected.length && <p className="text-xs text-slate-500">{t('newSession.noUniverse')}</p>}
          {rows.map((r) => (
            <label key={r.market} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                data-testid={`new-session-market-${r.market}`}
                checked={props.picked.includes(r.market)}
                onChange={() => toggle(r.market)}
              />
              <span className="font-mono">{r.market}</span>
              <span className="text-xs text-slate-500">{r.detail}</span>
            </label>
          ))}
        </div>
      )}
    </fieldset>
  );
}

function PreviewPanel(props: { preview: SessionPreview; fresh: boolean }) {
  const { t } = useTranslation();
  const p = props.preview;
  const rows: [string, string, string][] = [
    ['equity', t('newSession.equity'), formatKrw(p.equityKrw)],
    ['risk-per-trade', t('newSession.riskPerTrade'), formatKrw(p.riskPerTradeKrw)],
    ['max-order', t('newSession.maxOrder'), formatKrw(p.maxOrderKrw)],
    ['max-open', t('newSession.maxOpen'), String(p.maxOpenPositions)],
    ['risk-all-stops', t('newSession.riskAllStops'), formatKrw(p.riskAllStopsKrw)],
    ['max-exposure', t('newSession.maxExposure'), formatKrw(p.maxExposureKrw)],
    ['daily-loss', t('newSession.dailyLoss'), formatKrw(p.dailyLossLimitKrw)],
  ];
  return (
    <section className="rounded border border-sky-800 bg-sky-950/30 p-3" data-testid="new-session-preview-panel">
      <h3 className="mb-2 text-sm font-semibold text-sky-200">{t('newSession.previewTitle')}</h3>
      {!props.fresh && <p className="mb-2 text-xs text-amber-300">{t('newSession.previewStale')}</p>}
      <ErrorNotice error={p.accountError} />
      <p className="mb-2 text-sm" data-testid="new-session-preview-markets">
        {t('newSession.markets')}:{' '}
        {p.config.markets.length > 0
          ? p.config.markets.join(', ')
          : t('newSession.topNUnknown', { count: p.config.universeSize })}{' '}
        · {t('newSession.mode')}: {t(`mode.${p.config.mode}`)}
      </p>
      <dl className="grid grid-cols-1 gap-x-6 gap-y-1 text-sm md:grid-cols-2">
        {rows.map(([id, label, value]) => (
          <div key={id} className="flex justify-between gap-3">
            <dt className="text-slate-400">{label}</dt>
            <dd className="font-mono" data-testid={`new-session-preview-${id}`}>
              {value}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** Starts the previewed session: at once in sim and paper; live takes the server's confirmation and the name typed again. */
function StartButton(props: { request: StartRequest; ready: boolean }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [typed, setTyped] = useState('');
  const opened = (session: Session) => {
    void queryClient.invalidateQueries({ queryKey: ['sessions'] });
    void navigate({ to: '/sessions/$id', params: { id: session.id } });
  };
  const start = useMutation({
    mutationFn: (extra: { confirmationToken?: string; confirmName?: string }) =>
      apiRequest<Session>('POST', '/api/sessions', { ...props.request, ...extra }),
    onSuccess: opened,
  });
  const confirmation = useMutation({
    mutationFn: () => {
      const { mode: _live, ...body } = props.request;
      return apiRequest<{ confirmationToken: string }>('POST', '/api/sessions/live-confirmation', body);
    },
  });
  const live = props.request.mode === 'live';
  return (
    <>
      <button
        type="button"
        data-testid="new-session-start"
        disabled={!props.ready || start.isPending || confirmation.isPending}
        onClick={() => (live ? confirmation.mutate() : start.mutate({}))}
        className={`rounded px-4 py-2 text-sm font-bold text-white disabled:opacity-40 ${live ? 'bg-red-700 hover:bg-red-600' : 'bg-emerald-600 hover:bg-emerald-500'}`}
      >
        {start.isPending ? t('newSession.starting') : live ? t('newSession.liveStep1') : t('newSession.start')}
      </button>
      <ErrorNotice error={start.error ?? confirmation.error} what={t('newSession.startFailed')} />
      {live && confirmation.data && (
        <div
          className="w-full space-y-2 rounded border border-red-800 bg-red-950/40 p-3"
          data-testid="new-session-live-step2"
        >
          <h3 className="text-sm font-bold text-red-300">{t('newSession.liveStep2Title')}</h3>
          <p className="text-sm">
            <Trans
              i18nKey="newSession.liveStep2"
              values={{ name: props.request.name }}
              components={{ code: <code className="rounded bg-slate-800 px-1 font-mono text-red-300" /> }}
            />
          </p>
          <input
            data-testid="new-session-live-name"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            className={`${inputClass} font-mono`}
          />
          <button
            type="button"
            data-testid="new-session-live-start"
            disabled={typed !== props.request.name || start.isPending}
            onClick={() => start.mutate({ confirmationToken: confirmation.data.confirmationToken, confirmName: typed })}
            className="rounded bg-red-600 px-4 py-2 text-sm font-bold text-white hover:bg-red-500 disabled:opacity-40"
          >
            {t('newSession.liveConfirm')}
          </button>
        </div>
      )}
    </>
  );
}
