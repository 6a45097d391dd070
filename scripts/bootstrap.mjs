// Dependency-free entry of `npm start`, `npm test` and `npm run sim`: installs what is missing
// (npm packages, the generated Prisma client, the Temporal CLI, the built dashboard), then runs the job.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const job = process.argv[2];
const extra = process.argv.slice(3);

function run(cmd, args, opts = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function mustRun(what, cmd, args, opts) {
  const status = run(cmd, args, opts);
  if (status !== 0) {
    console.error(`[setup] ${what} failed (exit ${status})`);
    process.exit(status);
  }
}

/**
 * Installs the locked dependencies when node_modules is missing or older than package-lock.json:
 * npm writes node_modules/.package-lock.json at the end of every install, so a lock changed since
 * (a pull, a dependency update) is newer than it, and a user's own `npm ci` counts. `npm ci`: it
 * installs exactly what the lock says (the versions every test ran with), never rewrites the lock,
 * and refuses a lock out of step with package.json instead of quietly resolving something else.
 * The lock records every platform's optional binaries (biome, swc, esbuild, ...): update it with
 * `npm install <pkg>` or `npm install --package-lock-only` on a lock that has them; a lock written
 * from an install that lacks them makes `npm ci` refuse it on other machines.
 */
function ensureNodeModules() {
  const installed = join('node_modules', '.package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync('package-lock.json').mtimeMs) return;
  console.log('[setup] installing npm dependencies (npm ci)...');
  mustRun('npm ci', 'npm', ['ci', '--no-audit', '--no-fund']);
}

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Builds the dashboard when web/dist is missing or older than its sources. */
function ensureDashboard() {
  const built = join('web', 'dist', 'index.html');
  const sources = Math.max(
    newestMtime(join('web', 'src')),
    newestMtime(join('web', 'index.html')),
    newestMtime(join('web', 'vite.config.ts')),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  console.log('[setup] building the dashboard (vite build web)...');
  mustRun('dashboard build', 'npx', ['vite', 'build', 'web', '--logLevel', 'warn']);
}

async function ensureTemporal() {
  if (process.env.TEMPORAL_ADDRESS) return;
  const { ensureTemporalCli } = await import('./temporal-cli.mjs');
  try {
    process.env.TEMPORAL_CLI = await ensureTemporalCli();
  } catch (err) {
    console.error(`[setup] ${err.message}`);
    process.exit(1);
  }
}

const suiteReport = join('data', 'test-report.json');
const longReport = join('data', 'test-long-report.json');
/** vitest arguments that add a JSON report (for the failure summary) to the console output. */
function jsonReport(file) {
  rmSync(file, { force: true });
  return ['--reporter=default', '--reporter=json', `--outputFile.json=${file}`];
}

/** Starts `vitest --config vitest.long.config.ts` in the background; resolves with its exit status after printing its output. */
function startLongTests() {
  const logFile = join('data', 'test-long.log');
  mkdirSync('data', { recursive: true });
  const out = openSync(logFile, 'w');
  console.log(`[test:long] started beside the suite; output in ${logFile}`);
  const child = spawn('npx', ['vitest', 'run', '--config', 'vitest.long.config.ts', ...jsonReport(longReport)], {
    stdio: ['ignore', out, out],
  });
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      closeSync(out);
      process.stdout.write(`\n[test:long] output:\n${readFileSync(logFile, 'utf8')}\n`);
      resolve(code ?? 1);
    });
  });
}

/**
 * Prints the failed tests of a vitest JSON report (written beside the console output). The long tests'
 * log is printed after the suite's, so on a long CI log this summary at the very end is what a reader
 * sees first.
 */
function printFailures(what, reportFile) {
  if (!existsSync(reportFile)) return;
  let report;
  try {
    report = JSON.parse(readFileSync(reportFile, 'utf8'));
  } catch {
    console.log(`[${what}] could not read ${reportFile}`);
    return;
  }
  const failed = [];
  for (const file of report.testResults ?? []) {
    const tests = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
    for (const t of tests) failed.push({ file: file.name, name: t.fullName, message: t.failureMessages?.[0] });
    // A file that fails before its tests run (an import error, a failing beforeAll) has no failed test.
    if (file.status === 'failed' && tests.length === 0)
      failed.push({ file: file.name, name: '(file)', message: file.message });
  }
  if (failed.length === 0) return;
  console.log(`\n[${what}] ${failed.length} failed:`);
  for (const f of failed) {
    const message = String(f.message ?? '')
      .split('\n')
      .filter((line) => !/node_modules|<anonymous>/.test(line))
      .slice(0, 12)
      .join('\n      ');
    console.log(`  ✗ ${f.file.replace(`${root}/`, '')} > ${f.name}\n      ${message}`);
  }
}

const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor < 24)
  console.warn(
    `[setup] this project runs on Node 24 LTS; this is Node ${process.versions.node} (see README "Quick start")`,
  );
ensureNodeModules();
mustRun('prisma generate', process.execPath, ['prisma/generate.mjs']);
// A larger V8 young generation: a backtest allocates short-lived objects per bar and market, and with the
// default semi-space every scavenge copies survivors it would not need to (see README "Commands").
const tsx = ['--max-semi-space-size=64', '--import', 'tsx'];

switch (job) {
  case 'start': {
    await ensureTemporal();
    ensureDashboard();
    // The launcher handles SIGINT itself; exit with its status.
    process.on('SIGINT', () => {});
    process.on('SIGTERM', () => {});
    process.exit(run(process.execPath, [...tsx, 'workers/dev.ts', ...extra]));
    break;
  }
  case 'sim': {
    process.on('SIGINT', () => {});
    process.exit(run(process.execPath, [...tsx, 'exchange/sim/main.ts', ...extra]));
    break;
  }
  case 'test': {
    await ensureTemporal();
    ensureDashboard();
    const started = Date.now();
    // WITH_LONG_TESTS=1 (CI): the long fault tests run beside the suite (they mostly wait out a
    // seven-minute outage), their output kept in a file and shown at the end.
    const long = process.env.WITH_LONG_TESTS === '1' ? startLongTests() : undefined;
    mustRun('typecheck (tsc --noEmit)', 'npx', ['tsc', '--noEmit', '-p', '.']);
    mustRun('lint (biome)', 'npx', ['biome', 'check', '.']);
    let status = run('npx', ['vitest', 'run', ...jsonReport(suiteReport), ...extra]);
    console.log(`[test] finished in ${Math.round((Date.now() - started) / 1000)} s`);
    if (long) {
      const longStatus = await long;
      console.log(`[test:long] finished in ${Math.round((Date.now() - started) / 1000)} s (exit ${longStatus})`);
      if (longStatus !== 0) status = status || longStatus;
      printFailures('test:long', longReport);
    }
    printFailures('test', suiteReport);
    process.exit(status);
    break;
  }
  case 'test-long': {
    // The long fault tests (minutes-long outages): same setup as `test`, their own vitest config.
    await ensureTemporal();
    const started = Date.now();
    const status = run('npx', ['vitest', 'run', '--config', 'vitest.long.config.ts', ...extra]);
    console.log(`[test:long] finished in ${Math.round((Date.now() - started) / 1000)} s`);
    process.exit(status);
    break;
  }
  default:
    console.error('usage: node scripts/bootstrap.mjs start|test|test-long|sim [args]');
    process.exit(2);
}
