import type { Timestamp } from './api/types';
import { currentLocale } from './i18n';

// Display formatting only, in the chosen language's locale: values stay strings in the data, and
// nothing here feeds back into money math.

const formatters = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
function cached<T extends Intl.NumberFormat | Intl.DateTimeFormat>(key: string, make: (locale: string) => T): T {
  const locale = currentLocale();
  const id = `${locale}|${key}`;
  let f = formatters.get(id);
  if (!f) {
    f = make(locale);
    formatters.set(id, f);
  }
  return f as T;
}
const number = (digits: number) =>
  cached(`n${digits}`, (locale) => new Intl.NumberFormat(locale, { maximumFractionDigits: digits }));

/** A KRW amount (balance, equity, fee, P&L), whole won as Upbit shows them: 1234567.5 → "1,234,568"; missing → "—". */
export function formatKrw(value: string | number | null | undefined): string {
  const n = toNumber(value);
  return n === null ? '—' : number(0).format(n);
}

/**
 * A KRW price: whole won from 1,000 up, and below that as many decimals as Upbit's price grid has
 * there (0.1 from 100, 0.01 from 10, ...), so 0.0001234 stays readable.
 */
export function formatPrice(value: string | number | null | undefined): string {
  const n = toNumber(value);
  if (n === null) return '—';
  const a = Math.abs(n);
  const digits = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 10 ? 2 : a >= 1 ? 3 : a >= 0.1 ? 4 : 8;
  return number(digits).format(n);
}

export function formatQuantity(value: string | number | null | undefined): string {
  const n = toNumber(value);
  return n === null ? '—' : number(8).format(n);
}

/** Signed, for profit and loss in KRW: "+1,200" / "-350". */
export function formatPnl(value: string | number | null | undefined): string {
  const n = toNumber(value);
  if (n === null) return '—';
  return (n > 0 ? '+' : '') + formatKrw(n);
}

/** A percentage given in percent units (2 = 2 %): "2.5%". */
export function formatPct(value: number | string | null | undefined, digits = 2): string {
  const n = toNumber(value);
  if (n === null) return '—';
  return `${number(digits).format(n)}%`;
}

/** Metric values: up to 4 decimals, scientific for very large/small. */
export function formatMetric(value: number | string | null | undefined): string {
  const n = toNumber(value);
  if (n === null) return '—';
  if (n !== 0 && (Math.abs(n) >= 1e9 || Math.abs(n) < 1e-4)) return n.toExponential(3);
  return number(4).format(n);
}

/** A local date and time in the chosen locale, 24-hour clock. */
export function formatTime(ts: Timestamp | null | undefined): string {
  if (ts === null || ts === undefined || ts === '') return '—';
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return String(ts);
  return cached(
    'dt',
    (locale) => new Intl.DateTimeFormat(locale, { dateStyle: 'short', timeStyle: 'medium', hourCycle: 'h23' }),
  ).format(d);
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
