// The alert sender: delivers the alerts queued in `alert_outbox` (prisma/repositories/events.ts) to
// the Telegram, Slack and Discord channels in `alert_channels`. Each worker process runs one; an
// alert is claimed before it is sent, so two senders do not both send it. A channel that fails is
// retried with growing delays (the others are not sent twice); a token bucket per channel keeps a
// storm of events from flooding a chat: what it holds back is counted and mentioned in the next
// message that goes out. Nothing here logs a target: failures keep only a status or error code.
import axios from 'axios';
import type { AlertOutbox, Database, Severity } from '../prisma/db';
import {
  type AlertMessage,
  alertChannels,
  claimAlert,
  dueAlerts,
  recordAlertAttempt,
} from '../prisma/repositories/events';
import {
  alertUrls,
  checkAlertUrl,
  openAlertTarget,
  type TelegramTarget,
  type WebhookTarget,
} from '../security/alert-targets';
import type { SecretBox } from '../security/secret-box';

export type { Severity, TelegramTarget, WebhookTarget };
export type Alert = AlertMessage;

const RANK: Record<Severity, number> = { info: 0, warn: 1, critical: 2 };
/** Alerts taken from the queue per round. */
const BATCH = 50;

interface Bucket {
  tokens: number;
  updated: number;
  suppressed: number;
}

export interface AlerterOptions {
  /** Messages a channel may burst. */
  burst?: number;
  /** Sustained messages per minute per channel. */
  perMinute?: number;
  timeoutMs?: number;
  /** The rate limit's clock. */
  now?: () => number;
  /** Opens the sealed channel targets (security/alert-targets.ts). */
  box?: SecretBox;
  /** Delay before the first retry of a failed channel; it doubles per failure, up to `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** An alert not delivered after this long is given up (its `lastError` says why). */
  maxAgeMs?: number;
  /** How long a claimed alert stays with its sender (a sender that dies releases it after this). */
  leaseMs?: number;
}

export class Alerter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly burst: number;
  private readonly perMinute: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly box?: SecretBox;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly maxAgeMs: number;
  private readonly leaseMs: number;
  private timer?: NodeJS.Timeout;
  private round?: Promise<void>;
  private stopped = false;
  sent = 0;
  failed = 0;

  constructor(
    private readonly db: Database,
    opts: AlerterOptions = {},
  ) {
    this.burst = opts.burst ?? 5;
    this.perMinute = opts.perMinute ?? 20;
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.now = opts.now ?? Date.now;
    this.box = opts.box;
    this.retryBaseMs = opts.retryBaseMs ?? 5_000;
    this.retryMaxMs = opts.retryMaxMs ?? 10 * 60_000;
    this.maxAgeMs = opts.maxAgeMs ?? 24 * 3_600_000;
    this.leaseMs = opts.leaseMs ?? 60_000;
  }

  /** Drains the queue every `intervalMs` until `stop()`. */
  start(intervalMs = 1_000) {
    this.stopped = false;
    const tick = async () => {
      try {
        while ((await this.drain()) === BATCH && !this.stopped) {}
      } catch {
        // The database is away: the alerts wait in the queue for the next round.
      }
      if (!this.stopped) this.timer = setTimeout(() => (this.round = tick()), intervalMs);
    };
    this.round = tick();
  }

  async stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.round;
  }

  /** Sends the alerts that are due (each to the channels that do not have it yet); returns how many it took. */
  async drain(): Promise<number> {
    const prisma = this.db.prisma;
    const due = await dueAlerts(prisma, BATCH);
    if (due.length === 0) return 0;
    // Read per round, so a channel added in the dashboard counts at once.
    const channels = await alertChannels(prisma, { enabled: true });
    for (const row of due) {
      // Claimed by moving its time on: a sender that read the same row finds it changed and skips it.
      if (await claimAlert(prisma, row, new Date(Date.now() + this.leaseMs))) await this.deliver(row, channels);
    }
    return due.length;
  }

  private async deliver(
    row: AlertOutbox,
    channels: { id: string; kind: string; target: unknown; minSeverity: Severity }[],
  ) {
    const done = new Set(Array.isArray(row.doneChannels) ? (row.doneChannels as string[]) : []);
    const failures: string[] = [];
    for (const c of channels) {
      if (done.has(c.id) || RANK[row.severity] < RANK[c.minSeverity]) continue;
      // Critical alerts (emergency stops) are never held back; they still use up the budget.
      const bucket = this.take(c.id, row.severity === 'critical');
      if (!bucket) {
        done.add(c.id);
        continue;
      }
      const held = bucket.suppressed;
      bucket.suppressed = 0;
      try {
        await this.post(c.kind, c.target, formatAlert(row, held));
        this.sent += 1;
        done.add(c.id);
      } catch (err) {
        this.failed += 1;
        bucket.suppressed += held;
        failures.push(`${c.kind} channel ${c.id}: ${failureOf(err)}`);
      }
    }
    const attempts = row.attempts + 1;
    const finished = failures.length === 0 || Date.now() - row.createdAt.getTime() >= this.maxAgeMs;
    const delay = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** (attempts - 1));
    await recordAlertAttempt(this.db.prisma, row.id, {
      doneChannels: [...done],
      attempts,
      lastError: failures.length ? failures.join('; ') : null,
      doneAt: finished ? new Date() : null,
      nextAttemptAt: finished ? new Date() : new Date(Date.now() + delay),
    });
  }

  private take(channelId: string, always = false): Bucket | null {
    const now = this.now();
    const b = this.buckets.get(channelId) ?? { tokens: this.burst, updated: now, suppressed: 0 };
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.updated) / 60_000) * this.perMinute);
    b.updated = now;
    this.buckets.set(channelId, b);
    if (b.tokens < 1 && !always) {
      b.suppressed += 1;
      return null;
    }
    b.tokens -= 1;
    return b;
  }

  private async post(kind: string, stored: unknown, text: string): Promise<void> {
    const target = openAlertTarget(this.box, kind, stored);
    // Checked again at each send: the allow-list may have changed, and so may a host's DNS answer.
    for (const [field, url] of alertUrls(kind, target)) {
      const refused = await checkAlertUrl(url, field);
      if (refused) throw new Error(refused);
    }
    // A webhook that redirects is not followed: a redirect could lead anywhere.
    const opts = { timeout: this.timeoutMs, maxRedirects: 0 };
    if (kind === 'telegram') {
      const t = target as unknown as TelegramTarget;
      const base = (t.apiBase ?? 'https://api.telegram.org').replace(/\/+$/, '');
      await axios.post(`${base}/bot${t.botToken}/sendMessage`, { chat_id: t.chatId, text }, opts);
    } else if (kind === 'slack') {
      await axios.post((target as unknown as WebhookTarget).webhookUrl, { text }, opts);
    } else if (kind === 'discord') {
      await axios.post((target as unknown as WebhookTarget).webhookUrl, { content: text }, opts);
    } else {
      throw new Error(`unknown alert channel kind ${kind}`);
    }
  }
}

/** What a failed delivery may record: the HTTP status or error code (an HTTP error's URL holds the secret). */
function failureOf(err: unknown): string {
  if (axios.isAxiosError(err)) return err.response ? `HTTP ${err.response.status}` : (err.code ?? 'request failed');
  return (err as Error).message;
}

export function formatAlert(alert: Alert, suppressed = 0): string {
  const icon = alert.severity === 'critical' ? '🚨' : alert.severity === 'warn' ? '⚠️' : 'ℹ️';
  const where = alert.sessionId ? ` [session ${alert.sessionId}]` : '';
  const held = suppressed
    ? ` (+${suppressed} earlier alert${suppressed > 1 ? 's' : ''} held back by the rate limit)`
    : '';
  return `${icon} ${alert.kind}${where}: ${alert.message}${held}`;
}
