import { useMutation } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { useIsAdmin } from '../api/auth';
import type { EmergencyStopMode } from '../api/types';
import { ErrorNotice } from './ErrorNotice';

/**
 * Emergency stop with double confirmation: a first button opens a dialog, where the user picks
 * halt or flatten, types the confirmation text (the session id, or STOP ALL) and presses a second
 * red button. The server checks the same text, so a stray click can never stop trading.
 */
export function EmergencyStop<T>(props: {
  label: string;
  /** What the user must type; sent to the server as `confirm`. */
  expected: string;
  scope: string;
  buttonTestId: string;
  run: (mode: EmergencyStopMode, confirm: string) => Promise<T>;
  onDone?: (result: T) => void;
}) {
  const [open, setOpen] = useState(false);
  const isAdmin = useIsAdmin();
  const { t } = useTranslation();
  return (
    <>
      <button
        type="button"
        data-testid={props.buttonTestId}
        disabled={!isAdmin}
        title={isAdmin ? undefined : t('common.viewerOnly')}
        onClick={() => setOpen(true)}
        className="rounded border border-red-700 bg-red-900/70 px-3 py-1.5 text-sm font-semibold text-red-100 hover:bg-red-800 disabled:cursor-not-allowed disabled:opacity-40"
      >
        {props.label}
      </button>
      {open && <StopDialog {...props} onClose={() => setOpen(false)} />}
    </>
  );
}

function StopDialog<T>(props: {
  expected: string;
  scope: string;
  run: (mode: EmergencyStopMode, confirm: string) => Promise<T>;
  onDone?: (result: T) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const [mode, setMode] = useState<EmergencyStopMode>('halt');
  const [typed, setTyped] = useState('');
  const stop = useMutation({
    mutationFn: () => props.run(mode, typed),
    onSuccess: (result) => {
      props.onDone?.(result);
      props.onClose();
    },
  });
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const confirmed = typed === props.expected;

  return (
    <dialog
      ref={ref}
      data-testid="estop-dialog"
      onClose={props.onClose}
      className="m-auto w-[32rem] max-w-[95vw] rounded-lg border border-red-800 bg-slate-900 p-0 text-slate-200 backdrop:bg-black/70"
    >
      <form
        method="dialog"
        className="space-y-4 p-5"
        onSubmit={(e) => {
          e.preventDefault();
          if (confirmed) stop.mutate();
        }}
      >
        <h2 className="text-lg font-bold text-red-300">{t('estop.title', { scope: props.scope })}</h2>
        <fieldset className="space-y-2">
          <legend className="mb-1 text-sm text-slate-400">{t('estop.whatToDo')}</legend>
          <label className="flex items-start gap-2 text-sm">
            <input
              type="radio"
              name="estop-mode"
              data-testid="estop-mode-halt"
              checked={mode === 'halt'}
              onChange={() => setMode('halt')}
            />
            <span>
              <b>{t('estop.halt')}</b> {t('estop.haltHint')}
            </span>
          </label>
          <label className="flex items-start gap-2 text-sm">
            <input
              type="radio"
              name="estop-mode"
              data-testid="estop-mode-flatten"
              checked={mode === 'flatten'}
              onChange={() => setMode('flatten')}
            />
            <span>
              <b>{t('estop.flatten')}</b> {t('estop.flattenHint')}
            </span>
          </label>
        </fieldset>
        {mode === 'flatten' && (
          <p
            data-testid="estop-flatten-warning"
            className="rounded border border-amber-600 bg-amber-950 px-3 py-2 text-sm text-amber-200"
          >
            {t('estop.flattenWarning')}
          </p>
        )}
        <label className="block space-y-1 text-sm">
          <span>
            <Trans
              i18nKey="estop.typeToConfirm"
              values={{ expected: props.expected }}
              components={{ code: <code className="rounded bg-slate-800 px-1 font-mono text-red-300" /> }}
            />
          </span>
          <input
            data-testid="estop-confirm-input"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            className="w-full rounded border border-slate-700 bg-slate-950 px-2 py-1 font-mono"
            spellCheck={false}
            autoComplete="off"
          />
        </label>
        <ErrorNotice error={stop.error} what={t('estop.failed')} />
        <div className="flex justify-end gap-2">
          <button
            type="button"
            data-testid="estop-cancel"
            onClick={props.onClose}
            className="rounded border border-slate-600 px-3 py-1.5 text-sm hover:bg-slate-800"
          >
            {t('common.cancel')}
          </button>
          <button
            type="submit"
            data-testid="estop-confirm"
            disabled={!confirmed || stop.isPending}
            className="rounded bg-red-600 px-3 py-1.5 text-sm font-bold text-white hover:bg-red-500 disabled:cursor-not-allowed disabled:opacity-40"
          >
            {stop.isPending
              ? t('estop.stopping')
              : mode === 'flatten'
                ? t('estop.confirmFlatten')
                : t('estop.confirmHalt')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
