// Risk events: what the system records (table risk_events) and alerts on. One list of kinds, so the
// dashboard's filters, the alert rules and every writer agree on the names.

export const RISK_EVENT_KINDS = [
  // Positions and orders.
  'position_closed',
  'position_lost',
  'position_mismatch',
  'order_failed',
  'order_adopted',
  'orphan_adopted',
  'entry_refused',
  'exit_not_filled',
  'fill',
  // Sessions.
  'evaluation_failed',
  'emergency_halt',
  'emergency_flatten',
  // Reconciliation and account value.
  'reconcile_difference',
  'orphan_holding',
  'unpriced_holding',
  // The exchange.
  'exchange_degraded',
  'exchange_unreachable',
  'stream_reconnect',
] as const;
export type RiskEventKind = (typeof RISK_EVENT_KINDS)[number];

export type RiskEventSeverity = 'info' | 'warn' | 'critical';

/** One risk event as its writers hand it over (the record adds its time). */
export interface RiskEventRecord {
  sessionId: string | null;
  kind: RiskEventKind;
  severity: RiskEventSeverity;
  message: string;
  details?: Record<string, unknown>;
}
