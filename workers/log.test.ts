import { describe, expect, it } from 'vitest';
import { formatLogEntry, oneLineLogger } from './log';

const at = BigInt(Date.parse('2026-01-02T03:04:05.678Z')) * 1_000_000n;

describe('one-line runtime log', () => {
  const cause = new Error('socket hang up');
  const err = new Error('GET /v1/ticker failed', { cause });
  const entry = {
    level: 'WARN' as const,
    message: 'Activity failed',
    timestampNanos: at,
    meta: { activityType: 'evaluateSession', attempt: 3, namespace: 'default', taskToken: 'Cix', error: err },
  };

  it('writes an error as its message and causes on the same line, the stack only at DEBUG', () => {
    expect(formatLogEntry(entry, false)).toBe(
      '2026-01-02T03:04:05.678Z WARN Activity failed activityType=evaluateSession attempt=3 error=Error: GET /v1/ticker failed <- caused by Error: socket hang up',
    );
    const lines: string[] = [];
    oneLineLogger('WARN', (l) => lines.push(l)).warn('Activity failed', { error: err });
    oneLineLogger('WARN', (l) => lines.push(l)).info('not shown');
    expect(lines).toHaveLength(1);
    expect(lines[0].split('\n')).toHaveLength(1);
    const debug: string[] = [];
    oneLineLogger('DEBUG', (l) => debug.push(l)).warn('Activity failed', { error: err });
    expect(debug[0]).toContain('\n    at ');
  });
});
