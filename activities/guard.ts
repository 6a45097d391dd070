// The position guard: a long-running, heartbeating activity that applies the exit plan to every
// price and returns as soon as a stop, take-profit, trailing or time level is crossed.
import { activityInfo, CancelledFailure, cancellationSignal, heartbeat } from '@temporalio/activity';
import { updateExitPlan } from '../core/risk';
import type { ExitPlan, ExitUpdate } from '../core/risk/types';
import type { TradingMode } from '../core/session/config';
import type { ActivityDeps } from './deps';

const HEARTBEAT_MS = 5_000;

export function createGuardActivities({ prices }: ActivityDeps) {
  return {
    async guardPosition(input: { positionId: string; mode: TradingMode; plan: ExitPlan }): Promise<ExitUpdate> {
      // After a worker crash the retry resumes from the last heartbeated plan (highs, trailing stop).
      const resumed = activityInfo().heartbeatDetails as { plan?: ExitPlan } | undefined;
      let plan: ExitPlan = resumed?.plan ?? input.plan;
      const signal = cancellationSignal();
      return new Promise<ExitUpdate>((resolve, reject) => {
        const beat = setInterval(() => heartbeat({ plan }), HEARTBEAT_MS);
        heartbeat({ plan });
        const done = () => {
          clearInterval(beat);
          unsubscribe();
          signal.removeEventListener('abort', onAbort);
        };
        const onAbort = () => {
          done();
          reject(new CancelledFailure('guard cancelled'));
        };
        signal.addEventListener('abort', onAbort);
        const unsubscribe = prices.subscribe(input.mode, plan.market, (tick) => {
          const update = updateExitPlan(plan, { price: tick.price, high: tick.price, low: tick.price, ts: Date.now() });
          plan = update.plan;
          if (update.trigger) {
            done();
            resolve(update);
          }
        });
      });
    },
  };
}
