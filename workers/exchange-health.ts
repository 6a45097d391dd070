// Turns the Upbit client's warnings (429 pauses, 418 bans, retried reads after 5xx, timeouts and
// resets) into at most one `exchange_degraded` risk event and alert a minute, with counts, so
// exchange trouble is visible on the dashboard and in the alert channels, not only in logs.
import type { UpbitLogger } from '../exchange/upbit/client';

export interface DegradedReport {
  message: string;
  details: Record<string, number>;
}

export class ExchangeHealth implements UpbitLogger {
  private counts: Record<string, number> = {};
  private lastReport = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Set by whoever can record (the worker services); until then warnings are only counted. */
  report: ((r: DegradedReport) => Promise<void>) | undefined;

  constructor(private readonly everyMs = 60_000) {}

  warn(_obj: object, msg: string): void {
    const kind = msg.replace(/^upbit:\s*/, '').split(',')[0];
    this.counts[kind] = (this.counts[kind] ?? 0) + 1;
    const wait = this.lastReport + this.everyMs - Date.now();
    if (wait <= 0) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), wait).unref();
  }

  async flush(): Promise<void> {
    this.timer = undefined;
    if (!this.report || Object.keys(this.counts).length === 0) return;
    const details = this.counts;
    this.counts = {};
    this.lastReport = Date.now();
    const summary = Object.entries(details)
      .map(([kind, n]) => `${n} x ${kind}`)
      .join(', ');
    await this.report({ message: `exchange degraded: ${summary}`, details }).catch(() => undefined);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
