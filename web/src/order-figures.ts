// An open order's figures for the positions page: how long it has rested and how much of it filled.
import type { TFunction } from 'i18next';
import type { OrderView } from './api/types';

/** How long ago, in the largest units that matter: "42 s", "3 min 05 s", "2 h 10 min". */
export function formatAge(ms: number, t: TFunction): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return t('positions.ageHours', { h, m });
  if (m > 0) return t('positions.ageMinutes', { m, s: String(sec).padStart(2, '0') });
  return t('positions.ageSeconds', { s: sec });
}

/** An order's fill ratio in percent (executed of the volume asked); null for a market buy by funds. */
export function fillRatioPct(o: Pick<OrderView, 'volume' | 'executedVolume'>): number | null {
  const volume = Number(o.volume ?? 0);
  if (!(volume > 0)) return null;
  return (Number(o.executedVolume) / volume) * 100;
}
