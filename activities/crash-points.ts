// Named crash points for the crash-safety tests. When the worker runs with
// UPBIT_TRADER_CRASH_AT=<name> and UPBIT_TRADER_CRASH_MARKER=<file>, it kills itself (SIGKILL, no
// cleanup) the first time it reaches <name>; the marker file makes it happen once across restarts.
// Without both variables this is a no-op.
import { existsSync, writeFileSync } from 'node:fs';

export type CrashPoint = 'before-submit' | 'after-submit' | 'waiting-fills' | 'during-cancel' | 'during-fallback';

export function crashPoint(name: CrashPoint): void {
  if (process.env.UPBIT_TRADER_CRASH_AT !== name) return;
  const marker = process.env.UPBIT_TRADER_CRASH_MARKER;
  if (!marker || existsSync(marker)) return;
  writeFileSync(marker, name);
  process.kill(process.pid, 'SIGKILL');
}
