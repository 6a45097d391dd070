// The simulator's faults at run time: the configuration in force and what counts down or lasts a
// while (429 bursts, lost replies, an outage), shared by the REST handler, the admin API and the tick loop.
import type { Engine } from './engine';
import { type FailureMode, type FaultConfig, parseFaults } from './faults';
import type { MarketState } from './market-state';
import { Rng } from './synthetic-feed';

export interface FaultTargets {
  markets: ReadonlyMap<string, MarketState>;
  engine: Engine;
  now(): number;
  /** Drops every WebSocket connection: an outage starting. */
  dropWebSockets(): void;
}

export class FaultState {
  private config: FaultConfig = {};
  private burstLeft = 0;
  private loseLeft = 0;
  private outageUntil = 0;
  /** Faults that count down or last a while draw from the seed. */
  private readonly random: Rng;

  constructor(
    private readonly targets: FaultTargets,
    initial: FaultConfig,
    seed: number,
  ) {
    this.random = new Rng(seed ^ 0x5eed5eed);
    this.apply(parseFaults(initial), () => true);
  }

  /** The configuration in force. */
  get current(): FaultConfig {
    return this.config;
  }

  /** Replaces the whole configuration; every counter and timer starts anew. */
  set(f: FaultConfig) {
    this.apply(parseFaults(f), () => true);
  }

  /**
   * Merges an admin request's keys into the configuration: only what the body names (re)starts, e.g.
   * an outage keeps its end when latency is added; a key sent as null is removed.
   */
  merge(body: Record<string, unknown>) {
    const patch = parseFaults(body);
    const next: Record<string, unknown> = { ...this.config, ...patch };
    for (const [k, v] of Object.entries(body)) if (v === null) delete next[k];
    this.apply(next as FaultConfig, (k) => k in body);
  }

  /** The outage's failure mode while it lasts; once over, it leaves the configuration. */
  outage(): FailureMode | null {
    if (!this.outageUntil) return null;
    if (this.targets.now() < this.outageUntil) return this.config.outageMode ?? '500';
    this.outageUntil = 0;
    this.config = { ...this.config, outageSeconds: undefined };
    return null;
  }

  /** True while a 429 burst lasts (each call uses up one reply). */
  takeBurst(): boolean {
    if (this.burstLeft <= 0) return false;
    this.burstLeft--;
    return true;
  }

  /** The seconds of a pending 418 ban, once: the ban then leaves the configuration. */
  takeBanSeconds(): number | undefined {
    const seconds = this.config.ban418Seconds;
    if (seconds) this.config = { ...this.config, ban418Seconds: undefined };
    return seconds || undefined;
  }

  /** How the reply of an executed order write is lost, or null when it goes out. */
  loseReply(): FailureMode | null {
    const mode = this.config.lostReplyMode ?? '500';
    if (this.loseLeft > 0) {
      this.loseLeft--;
      return mode;
    }
    return this.config.lostReplyRate && this.random.next() < this.config.lostReplyRate ? mode : null;
  }

  /** Installs a fault configuration; counters and timers of the keys `restarts` names start anew. */
  private apply(next: FaultConfig, restarts: (key: keyof FaultConfig) => boolean) {
    const { markets, engine, now } = this.targets;
    const unknown = (next.marketOffline ?? []).filter((m) => !markets.has(m));
    if (unknown.length) throw new Error(`fault "marketOffline": unknown market ${unknown.join(', ')}`);
    this.config = next;
    if (restarts('burst429')) this.burstLeft = next.burst429 ?? 0;
    if (restarts('loseNextReplies')) this.loseLeft = next.loseNextReplies ?? 0;
    if (restarts('outageSeconds')) {
      this.outageUntil = next.outageSeconds ? now() + next.outageSeconds * 1000 : 0;
      if (!this.outageUntil) this.config = { ...this.config, outageSeconds: undefined };
      else this.targets.dropWebSockets();
    }
    engine.stallFillsMs = next.stallFillsMs ?? 0;
    engine.cancelDelayMs = next.cancelDelayMs ?? 0;
    engine.offlineMarkets = new Set(next.marketOffline ?? []);
  }
}
