// What the reliability tests and the benchmarks share on a local stack: the API client, a probe-session config with risk limits opened
// up so entries are frequent, and the exchange-vs-database-vs-workflow order audit.
import Decimal from 'decimal.js';
import type { SimOrder } from '../exchange/sim/orders';
import { ordersByIdentifierPrefix } from '../prisma/repositories/orders';
import type { OrderResult, PositionStatus } from '../workflows/definitions';
import { orderIdOfIdentifier, orderWorkflowId, positionIdOfOrderId } from '../workflows/ids';
import type { Stack } from './local-stack';

export async function callApi<T = unknown>(
  stack: Stack,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${stack.apiUrl}${path}`, {
    method,
    headers: { ...(await stack.authHeaders()), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

/** Risk settings that let the probe strategy enter often: no daily, drawdown, cooldown or correlation brakes. */
export function openRisk(
  overrides: { maxOpenPositions: number; exit: Record<string, unknown> } & Record<string, unknown>,
) {
  return {
    riskPerTradePct: 1,
    maxCoinWeightPct: 5,
    maxTotalExposurePct: 90,
    maxEntriesPerCoinPerDay: 100,
    dailyLossLimitPct: 100,
    maxDrawdownPct: 100,
    cooldownAfterLossMinutes: 0,
    maxCorrelation: 1,
    volatilityHaltDropPct: 100,
    edge: { feeMultiple: 0, atrMultiple: 0, slippagePct: 0 },
    ...overrides,
  };
}

/** Starts a probe session through the API; returns its id. */
export async function startProbeSession(stack: Stack, name: string, config: Record<string, unknown>): Promise<string> {
  const created = await callApi<{ id: string }>(stack, 'POST', '/api/sessions', { name, strategy: 'probe', config });
  if (created.status !== 201) throw new Error(`session not created: ${JSON.stringify(created.body)}`);
  return created.body.id;
}

/** The simulator's own record of every order of the default account (no REST call, so faults cannot hide any). */
export function simOrders(stack: Stack, identifierPrefix: string): SimOrder[] {
  const account = stack.sim.engine.accounts.get(stack.sim.keys.accessKey);
  if (!account) return [];
  return [...account.orders.values()].filter((o) => o.identifier?.startsWith(identifierPrefix));
}

export interface OrderAudit {
  exchangeOrders: number;
  orderWorkflows: number;
  problems: string[];
}

/**
 * Exchange vs database vs Order workflows, for every order of a session: each exchange order has a
 * row with the same state and executed volume and each row an exchange order; each Order workflow
 * placed exactly one submit order (none if rejected) and at most one fallback order, and its result
 * names exactly the exchange orders carrying its identifiers; an entry a position placed itself, likewise,
 * and its orders executed what the position says it bought.
 */
export async function auditOrders(stack: Stack, sessionId: string): Promise<OrderAudit> {
  const prefix = `ord-pos-${sessionId}-`;
  const problems: string[] = [];
  const onExchange = simOrders(stack, prefix);
  const rows = await ordersByIdentifierPrefix(stack.db.prisma, prefix);
  const rowById = new Map(rows.map((r) => [r.identifier, r]));
  for (const o of onExchange) {
    const row = rowById.get(o.identifier ?? '');
    if (!row) {
      problems.push(`exchange order ${o.identifier} (${o.state}) has no database row`);
      continue;
    }
    if (row.state !== o.state) problems.push(`${o.identifier}: database state ${row.state}, exchange ${o.state}`);
    if (!new Decimal(row.executedVolume.toString()).eq(o.executedVolume.toString()))
      problems.push(`${o.identifier}: database executed ${row.executedVolume}, exchange ${o.executedVolume}`);
  }
  const exchangeIds = new Set(onExchange.map((o) => o.identifier));
  for (const r of rows)
    if (!exchangeIds.has(r.identifier)) problems.push(`database row ${r.identifier} not on exchange`);

  const byWorkflow = new Map<string, SimOrder[]>();
  for (const o of onExchange) {
    const wf = orderIdOfIdentifier(o.identifier ?? '') ?? '?';
    byWorkflow.set(wf, [...(byWorkflow.get(wf) ?? []), o]);
  }
  let orderWorkflows = 0;
  for await (const wf of stack.client.workflow.list({ query: `WorkflowId STARTS_WITH '${prefix}'` })) {
    orderWorkflows += 1;
    const placed = byWorkflow.get(wf.workflowId) ?? [];
    byWorkflow.delete(wf.workflowId);
    const submits = placed.filter((o) => /-s\d+$/.test(o.identifier ?? ''));
    const fallbacks = placed.filter((o) => /-m\d+$/.test(o.identifier ?? ''));
    const result = (await stack.client.workflow.getHandle(wf.workflowId).result()) as OrderResult;
    if (result.outcome === 'rejected') {
      if (placed.length) problems.push(`${wf.workflowId}: rejected but ${placed.length} exchange order(s) exist`);
      continue;
    }
    if (submits.length !== 1) problems.push(`${wf.workflowId}: ${submits.length} submit orders on the exchange`);
    if (fallbacks.length > 1) problems.push(`${wf.workflowId}: ${fallbacks.length} fallback orders on the exchange`);
    const named = [...result.exchangeUuids].sort().join(',');
    const actual = placed
      .map((o) => o.uuid)
      .sort()
      .join(',');
    if (named !== actual) problems.push(`${wf.workflowId}: result names [${named}], exchange holds [${actual}]`);
    const executed = placed.reduce((s, o) => s.plus(o.executedVolume.toString()), new Decimal(0));
    if (!executed.eq(result.executedVolume))
      problems.push(`${wf.workflowId}: result executed ${result.executedVolume}, exchange ${executed}`);
  }
  // The rest are entries a position placed itself (no Order workflow of that id): one submit order, at
  // most one fallback, and what they bought is what the position says it bought.
  for (const [wf, orders] of byWorkflow) {
    const positionId = positionIdOfOrderId(wf);
    if (!positionId || wf !== orderWorkflowId(positionId, 1)) {
      problems.push(`${orders.length} exchange order(s) of ${wf} without an Order workflow`);
      continue;
    }
    const position = (await stack.client.workflow.getHandle(positionId).result()) as PositionStatus;
    const submits = orders.filter((o) => /-s\d+$/.test(o.identifier ?? ''));
    const fallbacks = orders.filter((o) => /-m\d+$/.test(o.identifier ?? ''));
    if (submits.length !== 1) problems.push(`${wf} (entry of ${positionId}): ${submits.length} submit orders`);
    if (fallbacks.length > 1) problems.push(`${wf} (entry of ${positionId}): ${fallbacks.length} fallback orders`);
    const executed = orders.reduce((s, o) => s.plus(o.executedVolume.toString()), new Decimal(0));
    if (!executed.eq(position.volume))
      problems.push(`${wf}: the position bought ${position.volume}, the exchange executed ${executed}`);
  }
  return { exchangeOrders: onExchange.length, orderWorkflows, problems };
}
