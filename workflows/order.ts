// Order workflow (`ord-<position>-<n>`): one intended order through submit, fills, timeout, cancel
// and market fallback (order-lifecycle.ts, which a Position also runs inline for its entry).
// Exactly-once comes from exchange identifiers minted from the workflow id and adopted on retry by
// the submit activity.
import { patched, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  cancelOrderSignal,
  type OrderRequest,
  type OrderResult,
  orderChangedSignal,
  orderStatusQuery,
} from './definitions';
import { exchangeBounded, exchangeDurable, newOrderStatus, type OrderControl, runOrder } from './order-lifecycle';

/**
 * Patch: no exchange fault, however long, fails an order. Every exchange call retries until it
 * gets an answer (capped backoff, no attempt limit); only an entry's placement has a deadline
 * (`notAfterTs`), checked by the submit activity; the fallback's deadline counts from its own
 * decision; the fallback is a price-capped IOC limit order.
 */
export const ORDERS_OUTLIVE_OUTAGES = 'orders-outlive-outages';

export async function orderWorkflow(req: OrderRequest): Promise<OrderResult> {
  const orderId = workflowInfo().workflowId;
  const durable = patched(ORDERS_OUTLIVE_OUTAGES);
  const status = newOrderStatus();
  const control: OrderControl = { changed: false, cancelRequested: null };
  setHandler(orderStatusQuery, () => status);
  setHandler(orderChangedSignal, () => {
    control.changed = true;
  });
  setHandler(cancelOrderSignal, ({ reason }) => {
    control.cancelRequested = reason;
  });
  return runOrder({
    orderId,
    req,
    status,
    control,
    exchange: durable ? exchangeDurable : exchangeBounded,
    durable,
    marketOrdersWait: () => patched('market-orders-wait-60s'),
  });
}
