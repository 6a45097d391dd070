// Finds the Temporal CLI (dev server) binary, building it once into a per-user cache when absent.
// Order (design.md): TEMPORAL_CLI, `temporal` on PATH, the cache outside the clone, else `go install`.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';

export const TEMPORAL_CLI_VERSION = '1.5.1';

export function temporalCacheDir() {
  const cache = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(cache, 'upbit-trader', `temporal-${TEMPORAL_CLI_VERSION}`);
}

function onPath(name) {
  for (const dir of (process.env.PATH || '').split(delimiter)) {
    const candidate = join(dir, name);
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Returns the path of a usable Temporal CLI without building anything, or undefined. */
export function findTemporalCli() {
  if (process.env.TEMPORAL_CLI) {
    if (!existsSync(process.env.TEMPORAL_CLI))
      throw new Error(`TEMPORAL_CLI=${process.env.TEMPORAL_CLI} does not exist`);
    return process.env.TEMPORAL_CLI;
  }
  const cached = join(temporalCacheDir(), 'temporal');
  if (existsSync(cached)) return cached;
  return onPath('temporal');
}

/** Finds the CLI or builds it with Go into the cache (minutes the first time; progress is shown). */
export async function ensureTemporalCli() {
  const found = findTemporalCli();
  if (found) return found;
  const go = onPath('go') || (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go) {
    throw new Error(
      'The Temporal CLI is needed for the local Temporal dev server and was not found.\n' +
        '  Install it (https://docs.temporal.io/cli) and put `temporal` on PATH or set TEMPORAL_CLI=/path/to/temporal,\n' +
        `  or install Go >= 1.25 so it can be built once with: go install github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}\n` +
        '  or point TEMPORAL_ADDRESS at a running Temporal server.',
    );
  }
  const dir = temporalCacheDir();
  mkdirSync(dir, { recursive: true });
  console.log(
    `[setup] building the Temporal CLI v${TEMPORAL_CLI_VERSION} into ${dir} (once per machine; a few minutes)`,
  );
  const started = Date.now();
  // `-v` names each package as it is compiled: a running count is the progress bar.
  const child = spawn(go, ['install', '-v', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`], {
    env: { ...process.env, GOBIN: dir, CGO_ENABLED: '0' },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let packages = 0;
  let tail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => {
    tail = (tail + chunk).slice(-4000);
    const lines = chunk.split('\n').filter(Boolean).length;
    const before = Math.floor(packages / 100);
    packages += lines;
    if (Math.floor(packages / 100) > before) {
      console.log(`[setup]   ${packages} packages compiled (${Math.round((Date.now() - started) / 1000)} s)`);
    }
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  if (code !== 0) {
    process.stderr.write(tail);
    throw new Error(`go install of the Temporal CLI failed (exit ${code})`);
  }
  console.log(`[setup] Temporal CLI built in ${Math.round((Date.now() - started) / 1000)} s`);
  return join(dir, 'temporal');
}
