/** Faults the simulator injects on demand (admin API or `SIM_FAULTS` JSON). All default to off. */
export interface FaultConfig {
  /** Added to every REST reply, in ms. */
  latencyMs?: number;
  /** Random extra latency up to this many ms. */
  latencyJitterMs?: number;
  /** Share (0..1) of REST requests answered 500. */
  errorRate?: number;
  /** The next N REST requests are answered 429, whatever the budget. */
  burst429?: number;
  /** Share (0..1) of WebSocket connections dropped on each tick. */
  wsDropRate?: number;
  /** New orders are accepted but not matched for this many ms. */
  stallFillsMs?: number;
  /** The next REST request is answered 418 and its group and scope stay blocked this many seconds. */
  ban418Seconds?: number;
}

const KEYS: Array<keyof FaultConfig> = [
  'latencyMs',
  'latencyJitterMs',
  'errorRate',
  'burst429',
  'wsDropRate',
  'stallFillsMs',
  'ban418Seconds',
];

/** Validates a fault configuration from JSON; throws with the offending key. */
export function parseFaults(input: unknown): FaultConfig {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw new Error('faults must be a JSON object');
  const out: FaultConfig = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined || v === null) continue;
    if (!KEYS.includes(k as keyof FaultConfig)) throw new Error(`unknown fault "${k}"`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`fault "${k}" must be a number >= 0`);
    if ((k === 'errorRate' || k === 'wsDropRate') && v > 1) throw new Error(`fault "${k}" is a share between 0 and 1`);
    out[k as keyof FaultConfig] = v;
  }
  return out;
}

export function faultsFromEnv(env: NodeJS.ProcessEnv = process.env): FaultConfig {
  return env.SIM_FAULTS ? parseFaults(JSON.parse(env.SIM_FAULTS)) : {};
}
