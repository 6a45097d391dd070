// Alerts to Telegram, Slack and Discord webhooks (channels in the `alert_channels` table), with a
// token bucket per channel so a storm of events does not flood a chat: what is held back is
// counted and mentioned in the next message that goes out.
import axios from 'axios';
import type { Database } from '../prisma/db';
import { alertUrls, checkAlertUrl, openAlertTarget } from '../security/alert-targets';
import type { SecretBox } from '../security/secret-box';

export type Severity = 'info' | 'warn' | 'critical';

export interface Alert {
  sessionId: string | null;
  kind: string;
  severity: Severity;
  message: string;
}

export interface TelegramTarget {
  botToken: string;
  chatId: string;
  /** Base URL of the Bot API (tests point it at a local server). */
  apiBase?: string;
}
export interface WebhookTarget {
  webhookUrl: string;
}

const RANK: Record<Severity, number> = { info: 0, warn: 1, critical: 2 };

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
  now?: () => number;
  /** Opens the sealed channel targets (security/alert-targets.ts). */
  box?: SecretBox;
}

export class Alerter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly burst: number;
  private readonly perMinute: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly box?: SecretBox;
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
  }

  /** Sends to every enabled channel whose minimum severity the alert reaches. Never throws. */
  async send(alert: Alert): Promise<void> {
    const channels = await this.loadChannels().catch(() => []);
    await Promise.all(
      channels
        .filter((c) => c.enabled && RANK[alert.severity] >= RANK[c.minSeverity as Severity])
        .map(async (c) => {
          // Critical alerts (emergency stops) are never held back; they still use up the budget.
          const bucket = this.take(c.id, alert.severity === 'critical');
          if (!bucket) return;
          const held = bucket.suppressed;
          bucket.suppressed = 0;
          const text = formatAlert(alert, held);
          try {
            await this.post(c.kind, c.target as unknown, text);
            this.sent += 1;
          } catch {
            // A dead webhook must not fail the trading step that raised the alert.
            this.failed += 1;
          }
        }),
    );
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

  /** Read per alert (alerts are rare), so a channel added in the dashboard counts at once. */
  private loadChannels() {
    return this.db.prisma.alertChannel.findMany({ where: { enabled: true } });
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

export function formatAlert(alert: Alert, suppressed = 0): string {
  const icon = alert.severity === 'critical' ? '🚨' : alert.severity === 'warn' ? '⚠️' : 'ℹ️';
  const where = alert.sessionId ? ` [session ${alert.sessionId}]` : '';
  const held = suppressed
    ? ` (+${suppressed} earlier alert${suppressed > 1 ? 's' : ''} held back by the rate limit)`
    : '';
  return `${icon} ${alert.kind}${where}: ${alert.message}${held}`;
}

/** Checks a channel target before it is stored; returns the errors, field by field. */
export function validateAlertTarget(kind: string, target: unknown): string[] {
  const t = (target ?? {}) as Record<string, unknown>;
  const url = (field: string) =>
    typeof t[field] === 'string' && /^https?:\/\//.test(t[field] as string)
      ? []
      : [`target.${field}: must be an http(s) URL`];
  if (kind === 'telegram') {
    return [
      ...(typeof t.botToken === 'string' && t.botToken ? [] : ['target.botToken: required']),
      ...(typeof t.chatId === 'string' && t.chatId ? [] : ['target.chatId: required']),
      ...(t.apiBase === undefined ? [] : url('apiBase')),
    ];
  }
  if (kind === 'slack' || kind === 'discord') return url('webhookUrl');
  return [`kind: must be telegram, slack or discord`];
}
