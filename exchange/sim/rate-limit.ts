/** Upbit's request groups and their budgets: requests per window (one second unless said otherwise). */
export const RATE_GROUPS = {
  market: { limit: 10, windowMs: 1000 },
  candle: { limit: 10, windowMs: 1000 },
  trade: { limit: 10, windowMs: 1000 },
  ticker: { limit: 10, windowMs: 1000 },
  orderbook: { limit: 10, windowMs: 1000 },
  default: { limit: 30, windowMs: 1000 },
  order: { limit: 12, windowMs: 1000 },
  'order-test': { limit: 8, windowMs: 1000 },
  'order-cancel-all': { limit: 1, windowMs: 2000 },
  'websocket-connect': { limit: 5, windowMs: 1000 },
  'websocket-message': { limit: 5, windowMs: 1000 },
  /** Quotation requests carrying an Origin header (browsers): 1 per 10 s. Not a group name Upbit reports. */
  'browser-quotation': { limit: 1, windowMs: 10_000 },
} as const;

export type RateGroup = keyof typeof RATE_GROUPS;

/**
 * Fixed-window counters per (group, scope). Quotation groups are scoped by client IP, exchange groups by
 * access key (one pocket per key). `scale` multiplies every budget (benchmarks), 0 turns limits off.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; used: number }>();
  private readonly bans = new Map<string, { until: number; strikes: number }>();
  constructor(
    private readonly scale = 1,
    private readonly overrides: Partial<Record<RateGroup, number>> = {},
  ) {}

  limitOf(group: RateGroup): number {
    return (this.overrides[group] ?? RATE_GROUPS[group].limit) * (this.scale || 1);
  }

  /** What is left in the current window without counting a request (for replies refused earlier). */
  peek(group: RateGroup, scope: string, now: number): number {
    const w = this.windows.get(`${group}|${scope}`);
    const limit = this.limitOf(group);
    if (!w || w.start !== now - (now % RATE_GROUPS[group].windowMs)) return limit;
    return Math.max(0, limit - w.used);
  }

  /** Blocks a (group, scope) until `until` (a 418). */
  ban(group: RateGroup, scope: string, until: number): void {
    const key = `${group}|${scope}`;
    const prev = this.bans.get(key);
    this.bans.set(key, { until, strikes: (prev?.strikes ?? 0) + 1 });
  }

  /** Ms until the ban of a (group, scope) ends, 0 when not banned. */
  bannedFor(group: RateGroup, scope: string, now: number): number {
    const b = this.bans.get(`${group}|${scope}`);
    return b && b.until > now ? b.until - now : 0;
  }

  /**
   * Counts one request; returns what is left in the window and whether it was allowed. A scope that keeps
   * sending after its 429s (three budgets in one window) is banned (418) for 10 s, doubling on repeats.
   */
  take(group: RateGroup, scope: string, now: number): { allowed: boolean; remaining: number; bannedMs?: number } {
    const { windowMs } = RATE_GROUPS[group];
    const limit = this.limitOf(group);
    if (this.scale === 0) return { allowed: true, remaining: limit - 1 };
    const key = `${group}|${scope}`;
    const banned = this.bannedFor(group, scope, now);
    if (banned > 0) return { allowed: false, remaining: 0, bannedMs: banned };
    const start = now - (now % windowMs);
    let w = this.windows.get(key);
    if (!w || w.start !== start) {
      w = { start, used: 0 };
      this.windows.set(key, w);
      if (this.windows.size > 10_000) this.sweep(now);
    }
    if (w.used >= limit) {
      w.used++;
      if (w.used > 3 * limit) {
        const strikes = this.bans.get(key)?.strikes ?? 0;
        const ms = 10_000 * 2 ** Math.min(strikes, 6);
        this.ban(group, scope, now + ms);
        return { allowed: false, remaining: 0, bannedMs: ms };
      }
      return { allowed: false, remaining: 0 };
    }
    w.used++;
    return { allowed: true, remaining: limit - w.used };
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start > 5000) this.windows.delete(k);
  }
}

/** The `Remaining-Req` header value (`min` is a deprecated fixed value Upbit still sends). */
export function remainingReq(group: RateGroup, remaining: number): string {
  return `group=${group}; min=1800; sec=${remaining}`;
}
