import type { Account } from './engine';
import { exchangeError } from './errors';
import { orderJson } from './orders';
import { positiveIntParam } from './request-params';

const OPEN = ['wait', 'watch'];
const CLOSED = ['done', 'cancel'];

/**
 * GET /v1/orders, the order listing Upbit deprecated in 2024-06 in favour of /orders/open, /closed and
 * /uuids but still documents (no end date announced) and pyupbit still calls. Parameters as its
 * reference gives them: `market`; `uuids[]` or `identifiers[]`; `state` (default `wait`) or `states[]`,
 * never mixing open (wait, watch) and closed (done, cancel) states (since 2021-03-22); `page` (1);
 * `limit` (100, at most 100); `order_by` (`desc`).
 */
export function legacyOrders(acc: Account, q: URLSearchParams) {
  const market = q.get('market');
  const uuids = q.getAll('uuids[]');
  const identifiers = q.getAll('identifiers[]');
  if (uuids.length && identifiers.length) throw exchangeError.validation();
  const state = q.get('state');
  const states = q.getAll('states[]');
  if (state && states.length) throw exchangeError.validation();
  const wanted = states.length ? states : [state ?? 'wait'];
  const allOpen = wanted.every((s) => OPEN.includes(s));
  const allClosed = wanted.every((s) => CLOSED.includes(s));
  if (!allOpen && !allClosed) throw exchangeError.validation();
  const orderBy = q.get('order_by') ?? 'desc';
  if (orderBy !== 'asc' && orderBy !== 'desc') throw exchangeError.validation();
  const page = positiveIntParam(q, 'page', 1, 1_000_000);
  const limit = positiveIntParam(q, 'limit', 100, 100);
  const list = [...acc.orders.values()].filter(
    (o) =>
      wanted.includes(o.state) &&
      (!market || o.market === market) &&
      (!uuids.length || uuids.includes(o.uuid)) &&
      (!identifiers.length || (o.identifier !== undefined && identifiers.includes(o.identifier))),
  );
  list.sort((a, b) => (orderBy === 'asc' ? a.seq - b.seq : b.seq - a.seq));
  return list.slice((page - 1) * limit, page * limit).map((o) => orderJson(o));
}
