// `npm run bench -- <name>` runs bench/<name>.ts; each benchmark prints its figures, the last line as JSON.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.replace(/\.ts$/, ''));
const [name, ...rest] = process.argv.slice(2);
if (!name || !existsSync(join(here, `${name}.ts`))) {
  console.error(`usage: npm run bench -- <${available.join('|')}> [options]`);
  process.exit(2);
}
// With this process's Node flags (package.json: the young generation backtests run with, and tsx).
const run = spawnSync(process.execPath, [...process.execArgv, join(here, `${name}.ts`), ...rest], { stdio: 'inherit' });
process.exit(run.status ?? 1);
