// The backtester's results must not change when it is made faster: every reference run (bench/reference-cases.ts)
// hashes to what was recorded before (bench/reference.ts --record).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REFERENCE_FILE, referenceCases } from '../../bench/reference-cases';

const recorded: Record<string, string> = JSON.parse(readFileSync(REFERENCE_FILE, 'utf8'));

describe('reference backtests', () => {
  for (const c of referenceCases())
    it(`${c.name}: byte for byte as recorded`, { timeout: 180_000 }, (ctx) => {
      const json = c.run();
      if (json === null) return ctx.skip();
      expect(createHash('sha256').update(json).digest('hex')).toBe(recorded[c.name]);
    });
});
