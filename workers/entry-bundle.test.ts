// The worker entry as the image builds and runs it: one JavaScript file, no tsx. It must load every module and
// find the files that sit beside the code (the migrations here) as the entry run through tsx does.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorkerEntryInCache } from './entry-bundle';
import { freePort } from './temporal-server';

let entry = '';
beforeAll(async () => {
  entry = await bundleWorkerEntryInCache();
}, 60_000);
afterAll(() => rmSync(dirname(entry), { recursive: true, force: true }));

function run(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  // Plain node, none of the project's loaders: what the compose services run.
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

describe('worker entry built ahead', () => {
  it('is plain JavaScript with every module in it and the packages left to node_modules', () => {
    const code = readFileSync(entry, 'utf8');
    // Each module's own location is written in (migrations, sample candles, the engine thread's entry).
    expect(code).not.toContain('import.meta');
    expect(code).toContain(
      JSON.stringify(pathToFileURL(join(dirname(import.meta.dirname), 'prisma', 'migrate.ts')).href),
    );
    expect(code).toMatch(/from "@temporalio\/worker"/);
  });

  it('imports only production dependencies (the image installs no others beside it)', () => {
    const pkg = JSON.parse(readFileSync(join(dirname(import.meta.dirname), 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    // Static imports (`} from "x";` closes a multi-line one), side-effect imports, dynamic imports.
    const specifiers = [
      ...readFileSync(entry, 'utf8').matchAll(/(?:\bfrom "([^"]+)";$|^import "([^"]+)";$|\bimport\("([^"]+)"\))/gm),
    ].map((m) => m[1] ?? m[2] ?? m[3]);
    const packages = new Set(
      specifiers
        .filter((s) => !s.startsWith('node:'))
        .map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0])),
    );
    expect(packages).toContain('@temporalio/worker');
    expect([...packages].filter((p) => !(p in pkg.dependencies))).toEqual([]);
  });

  it('opens and migrates the database from the migrations beside the source, then needs Temporal', async () => {
    const closed = await freePort();
    const { code, stderr } = await run({
      DATABASE_URL: 'memory://',
      TEMPORAL_ADDRESS: `127.0.0.1:${closed}`,
      MODE: 'sim',
      TASK_QUEUES: 'trading',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'worker-entry-')),
      MASTER_KEY: 'ab'.repeat(32),
    });
    expect(code).not.toBe(0);
    // Past the migrations (a missing folder would stop it there, ENOENT) to the connection nobody answers.
    expect(stderr).not.toContain('ENOENT');
    expect(stderr).toMatch(/TransportError.*Connection refused/);
  }, 60_000);
});
