import type { SessionStatus } from '../api/types';

const tone = {
  good: 'border-emerald-700 bg-emerald-950 text-emerald-300',
  warn: 'border-amber-700 bg-amber-950 text-amber-300',
  bad: 'border-red-700 bg-red-950 text-red-300',
  idle: 'border-slate-700 bg-slate-800 text-slate-300',
} as const;

export type Tone = keyof typeof tone;

export function Badge(props: { tone: Tone; children: React.ReactNode; testId?: string; title?: string }) {
  return (
    <span
      data-testid={props.testId}
      data-tone={props.tone}
      title={props.title}
      className={`inline-flex items-center gap-1 rounded border px-2 py-0.5 text-xs font-medium ${tone[props.tone]}`}
    >
      {props.children}
    </span>
  );
}

const sessionTone: Record<SessionStatus, Tone> = {
  starting: 'warn',
  running: 'good',
  paused: 'warn',
  halted: 'bad',
  stopped: 'idle',
  failed: 'bad',
};

export function SessionStatusBadge(props: { status: SessionStatus; testId?: string }) {
  return (
    <Badge tone={sessionTone[props.status] ?? 'idle'} testId={props.testId}>
      {props.status}
    </Badge>
  );
}
