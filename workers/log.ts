// One line per log entry for the Temporal SDK's runtime logger (worker, activity and workflow logs). The SDK's
// default prints the metadata object as it is, so a failed activity shows a 30-line stack trace every retry; here
// an error is its name and message (and its causes'), and the stack only at DEBUG or TRACE.
import { DefaultLogger, type LogEntry, type LogLevel } from '@temporalio/worker';

const LEVELS: LogLevel[] = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'];

/** Metadata every SDK entry carries that says little to the reader of one line. */
const NOISE = new Set([
  'taskToken',
  'sdkComponent',
  'namespace',
  'taskQueue',
  'workflowRunId',
  'runId',
  'isLocal',
  'activityId',
]);

function errorText(err: Error, withStack: boolean): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let depth = 0; e instanceof Error && depth < 5; depth++) {
    parts.push(`${e.name}: ${e.message}`);
    e = e.cause;
  }
  const text = parts.join(' <- caused by ');
  return withStack && err.stack ? `${text}\n${err.stack}` : text;
}

function valueText(v: unknown, withStack: boolean): string {
  if (v instanceof Error) return errorText(v, withStack);
  if (typeof v === 'string') return /\s/.test(v) ? JSON.stringify(v) : v;
  if (typeof v === 'bigint') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** `2026-12-06T13:05:01.123Z WARN Activity failed activityType=evaluate workflowId=session-x attempt=3 error=...` */
export function formatLogEntry(entry: LogEntry, withStack: boolean): string {
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  const fields = Object.entries(entry.meta ?? {})
    .filter(([k, v]) => !NOISE.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${valueText(v, withStack)}`);
  return [time, entry.level, entry.message, ...fields].join(' ');
}

/** The runtime logger at `level` (TEMPORAL_LOG_LEVEL), writing one line per entry to stderr. */
export function oneLineLogger(level: LogLevel, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)) {
  const withStack = LEVELS.indexOf(level) <= LEVELS.indexOf('DEBUG');
  return new DefaultLogger(level, (entry) => write(formatLogEntry(entry, withStack)));
}
