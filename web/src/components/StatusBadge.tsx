import { useTranslation } from 'react-i18next';
import type { SessionStatus } from '../api/types';

const tone = {
  good: 'border-emerald-700 bg-emerald-950 text-emerald-300',
  warn: 'border-amber-700 bg-amber-950 text-amber-300',
  bad: 'border-red-700 bg-red-950 text-red-300',
  idle: 'border-slate-700 bg-slate-800 text-slate-300',
} as const;

export type Tone = keyof typeof tone;

/** `value`: the untranslated state (e.g. `running`), for tests and styles whatever the language. */
export function Badge(props: {
  tone: Tone;
  children: React.ReactNode;
  testId?: string;
  title?: string;
  value?: string;
}) {
  return (
    <span
      data-testid={props.testId}
      data-value={props.value}
      data-tone={props.tone}
      title={props.title}
      className={`inline-flex items-center gap-1 rounded border px-2 py-0.5 text-xs font-medium ${tone[props.tone]}`}
    >
      {props.children}
    </span>
  );
}

const sessionTone: Record<string, Tone> & Record<SessionStatus, Tone> = {
  starting: 'warn',
  running: 'good',
  paused: 'warn',
  halted: 'bad',
  stopped: 'idle',
  failed: 'bad',
};

/** A session's status; the stored column is free text, so an unknown status shows as it is. */
export function SessionStatusBadge(props: { status: SessionStatus | string; testId?: string }) {
  const { t } = useTranslation();
  return (
    <Badge tone={sessionTone[props.status] ?? 'idle'} testId={props.testId} value={props.status}>
      {t(`status.${props.status}`, { defaultValue: props.status })}
    </Badge>
  );
}
