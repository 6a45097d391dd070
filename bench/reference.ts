// `npm run bench -- reference [--record] [--only NAME]`
// Reference backtests that must not change when the backtester is made faster: each run's full result (fills,
// trades, equity curve, metrics, rejections, skips) and, for some, every decision event, hashed (SHA-256 of the
// JSON). Recorded once in test/backtest/reference-hashes.json (`--record`); without it every run is compared and
// the process exits 1 on a difference. test/backtest/reference.test.ts runs the same cases.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REFERENCE_FILE, referenceCases } from './reference-cases';

const { values } = parseArgs({ options: { record: { type: 'boolean' }, only: { type: 'string' } } });
const recorded: Record<string, string> = existsSync(REFERENCE_FILE)
  ? JSON.parse(readFileSync(REFERENCE_FILE, 'utf8'))
  : {};
const out: Record<string, string> = { ...recorded };
let failed = 0;
for (const c of referenceCases()) {
  if (values.only && !c.name.includes(values.only)) continue;
  const t0 = performance.now();
  const json = c.run();
  if (json === null) {
    console.log(`${c.name}: skipped (no data)`);
    continue;
  }
  const hash = createHash('sha256').update(json).digest('hex');
  const ms = performance.now() - t0;
  out[c.name] = hash;
  const want = recorded[c.name];
  const verdict = values.record ? 'recorded' : want === undefined ? 'NEW' : want === hash ? 'same' : 'CHANGED';
  if (!values.record && want !== hash) failed++;
  console.log(`${c.name}: ${hash.slice(0, 16)} ${verdict} (${(ms / 1000).toFixed(1)} s, ${json.length} bytes)`);
}
if (values.record) writeFileSync(REFERENCE_FILE, `${JSON.stringify(out, null, 2)}\n`);
console.log(JSON.stringify({ bench: 'reference', failed, file: join(REFERENCE_FILE) }));
process.exit(failed ? 1 : 0);
