import type { ReactNode } from 'react';

/** A titled card; `actions` sit at the right of the title. */
export function Panel(props: { title: ReactNode; actions?: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <section className="rounded-lg border border-slate-800 bg-slate-900/60" data-testid={props.testId}>
      <header className="flex items-center justify-between gap-3 border-b border-slate-800 px-4 py-2">
        <h2 className="text-sm font-semibold uppercase tracking-wide text-slate-400">{props.title}</h2>
        {props.actions && <div className="flex items-center gap-2">{props.actions}</div>}
      </header>
      <div className="p-4">{props.children}</div>
    </section>
  );
}
