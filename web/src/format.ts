import type { Timestamp } from './api/types';

// Display formatting only: values stay strings in the data, and nothing here feeds back into
// money math.

const krw = new Intl.NumberFormat('ko-KR', { maximumFractionDigits: 2 });
const quantity = new Intl.NumberFormat('en-US', { maximumFractionDigits: 8 });

/** 1234567.5 → "1,234,567.5"; missing or non-numeric values show as "—". */
export function formatKrw(value: string | number | null | undefined): string {
  const n = toNumber(value);
  return n === null ? '—' : krw.format(n);
}

export function formatQuantity(value: string | number | null | undefined): string {
  const n = toNumber(value);
  return n === null ? '—' : quantity.format(n);
}

/** Signed, for profit and loss: "+1,200" / "-350". */
export function formatPnl(value: string | number | null | undefined): string {
  const n = toNumber(value);
  if (n === null) return '—';
  return (n > 0 ? '+' : '') + krw.format(n);
}

/** Metric values: up to 4 decimals, scientific for very large/small. */
export function formatMetric(value: number | string | null | undefined): string {
  const n = toNumber(value);
  if (n === null) return '—';
  if (n !== 0 && (Math.abs(n) >= 1e9 || Math.abs(n) < 1e-4)) return n.toExponential(3);
  return n.toLocaleString('en-US', { maximumFractionDigits: 4 });
}

export function formatTime(ts: Timestamp | null | undefined): string {
  if (ts === null || ts === undefined || ts === '') return '—';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return String(ts);
  return d.toLocaleString('sv-SE', { hour12: false }).replace('T', ' ');
}

export function toMillis(ts: Timestamp): number {
  return new Date(ts).getTime();
}

export function toNumber(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : null;
}

/** Tailwind text colour for a profit/loss value (Korean convention: gains red, losses blue). */
export function pnlClass(value: string | number | null | undefined): string {
  const n = toNumber(value);
  if (n === null || n === 0) return 'text-slate-300';
  return n > 0 ? 'text-red-400' : 'text-sky-400';
}
