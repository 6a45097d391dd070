// A position's entry submit: its "entering" row, then the order, in one activity. The session runs it as a
// local activity in the workflow task that decided the entry (its one try, before starting the Position), and the
// Position in its first workflow task when that try did not place it: either way the order leaves without a round
// trip through the Temporal server. The row comes first because orders reference their position; the upsert and the
// submit (identifier looked up before any placement, see orders.ts) make a rerun harmless.
import type { ExchangeOrderView } from '../core/contract';
import type { SubmitOrderInput } from './orders';
import type { PositionRecord } from './records';

export function createEntryActivities(parts: {
  recordPosition(p: PositionRecord): Promise<void>;
  submitOrder(input: SubmitOrderInput): Promise<ExchangeOrderView>;
}) {
  return {
    /** `position`: the row to write first (the first submit of the entry; later ones find it written). */
    async placeEntry(input: { position?: PositionRecord; order: SubmitOrderInput }): Promise<ExchangeOrderView> {
      if (input.position) await parts.recordPosition(input.position);
      return parts.submitOrder(input.order);
    },
  };
}
