import type { TFunction } from 'i18next';
import type { PositionView } from './api/types';
import { formatPct, formatPrice, formatTime } from './format';

/**
 * A position's exit plan in plain words, one line per level: the stop (or the trailing stop once it
 * took over), each take-profit rung, the time exit as a local date-time, the blow-off exit.
 * Empty until the entry fills (the plan is `{}` until then).
 */
export function exitPlanLines(plan: PositionView['exitPlan'] | null | undefined, t: TFunction): string[] {
  if (!plan || plan.stop === undefined) return [];
  const lines: string[] = [];
  if (plan.trailingStop) lines.push(t('exitPlan.trailing', { price: formatPrice(plan.trailingStop) }));
  else lines.push(t('exitPlan.stop', { price: formatPrice(plan.stop) }));
  for (const rung of plan.ladder ?? []) {
    const values = { price: formatPrice(rung.level), fraction: formatPct(rung.fraction * 100, 0) };
    lines.push(rung.done ? t('exitPlan.takeProfitDone', values) : t('exitPlan.takeProfit', values));
  }
  if (!plan.trailingStop && (plan.trailingAtrMultiple ?? 0) > 0)
    lines.push(t('exitPlan.trailingArmed', { multiple: plan.trailingAtrMultiple }));
  if ((plan.timeExitTs ?? 0) > 0)
    lines.push(t('exitPlan.timeExit', { time: formatTime(plan.timeExitTs), price: formatPrice(plan.progressLevel) }));
  if ((plan.blowOffRsi ?? 0) > 0) lines.push(t('exitPlan.blowOff', { rsi: plan.blowOffRsi }));
  return lines;
}
