// The migration runner on its own, against a real (in-memory) PGlite and throwaway migration folders.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { applyMigrations, type MigrationConnection, readMigrations } from './migrate';

let pglite: PGlite;
let conn: MigrationConnection;
let dir: string;

// One PGlite for the file (starting one costs seconds); each test gets an empty public schema.
beforeAll(async () => {
  pglite = new PGlite();
  conn = {
    exec: async (sql) => {
      await pglite.exec(sql);
    },
    query: async <Row>(sql: string, params?: unknown[]) => (await pglite.query<Row>(sql, params)).rows,
  };
});

afterAll(async () => {
  await pglite.close();
});

beforeEach(async () => {
  await conn.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  dir = await mkdtemp(join(tmpdir(), 'upbit-migrations-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function addMigration(name: string, sql: string): Promise<void> {
  await mkdir(join(dir, name));
  await writeFile(join(dir, name, 'migration.sql'), sql);
}

async function tables(): Promise<string[]> {
  const rows = await conn.query<{ t: string }>(
    "SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
  );
  return rows.map((r) => r.t);
}

async function records() {
  return conn.query<{ migration_name: string; finished_at: Date | null; applied_steps_count: number }>(
    'SELECT migration_name, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
  );
}

describe('applyMigrations', () => {
  it('applies folders in name order, once, and only the new ones on a later run', async () => {
    // written out of order on purpose: the second depends on the first
    await addMigration('20260102000000_b', 'ALTER TABLE "a" ADD COLUMN "y" INTEGER;');
    await addMigration('20260101000000_a', 'CREATE TABLE "a" ("x" INTEGER);\nCREATE INDEX "a_x_idx" ON "a"("x");');
    expect(await applyMigrations(conn, dir)).toEqual(['20260101000000_a', '20260102000000_b']);
    expect(await applyMigrations(conn, dir)).toEqual([]);

    await addMigration('20260103000000_c', 'CREATE TABLE "c" ("z" TEXT);');
    expect(await applyMigrations(conn, dir)).toEqual(['20260103000000_c']);
    expect(await tables()).toEqual(['_prisma_migrations', 'a', 'c']);
    const rows = await records();
    expect(rows.map((r) => [r.migration_name, r.applied_steps_count])).toEqual([
      ['20260101000000_a', 1],
      ['20260102000000_b', 1],
      ['20260103000000_c', 1],
    ]);
    expect(rows.every((r) => r.finished_at instanceof Date)).toBe(true);
  });

  it('rolls a failing migration back entirely, names it, and keeps the ones before it', async () => {
    await addMigration('20260101000000_ok', 'CREATE TABLE "ok" ("x" INTEGER);');
    await addMigration('20260102000000_broken', 'CREATE TABLE "half" ("x" INTEGER);\nSELECT no_such_function();');
    await expect(applyMigrations(conn, dir)).rejects.toThrow(
      /migration 20260102000000_broken failed.*no_such_function/,
    );
    expect(await tables()).toEqual(['_prisma_migrations', 'ok']);
    expect((await records()).map((r) => r.migration_name)).toEqual(['20260101000000_ok']);
    // the lock was released: fixing the file lets the next run through
    await writeFile(join(dir, '20260102000000_broken', 'migration.sql'), 'CREATE TABLE "half" ("x" INTEGER);');
    expect(await applyMigrations(conn, dir)).toEqual(['20260102000000_broken']);
  });

  it('refuses to run when an applied migration was edited afterwards', async () => {
    await addMigration('20260101000000_a', 'CREATE TABLE "a" ("x" INTEGER);');
    await applyMigrations(conn, dir);
    await writeFile(join(dir, '20260101000000_a', 'migration.sql'), 'CREATE TABLE "a" ("x" BIGINT);');
    await expect(applyMigrations(conn, dir)).rejects.toThrow(/20260101000000_a was edited after it was applied/);
  });

  it('refuses to run past a failed attempt that Prisma recorded and nobody resolved', async () => {
    expect(await applyMigrations(conn, dir)).toEqual([]); // empty folder: only the bookkeeping table
    await addMigration('20260101000000_a', 'CREATE TABLE "a" ("x" INTEGER);');
    const [m] = await readMigrations(dir);
    // what `prisma migrate deploy` leaves after a failure: started, never finished
    await conn.query('INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name") VALUES ($1, $2, $3)', [
      'f0000000-0000-4000-8000-000000000000',
      m.checksum,
      m.name,
    ]);
    await expect(applyMigrations(conn, dir)).rejects.toThrow(/20260101000000_a failed in an earlier attempt/);
    // once resolved as rolled back, it is applied again
    await conn.exec('UPDATE "_prisma_migrations" SET "rolled_back_at" = now()');
    expect(await applyMigrations(conn, dir)).toEqual(['20260101000000_a']);
  });

  it('names a migration folder without migration.sql', async () => {
    await mkdir(join(dir, '20260101000000_empty'));
    await expect(applyMigrations(conn, dir)).rejects.toThrow(/20260101000000_empty has no readable migration.sql/);
  });
});

describe('the project migrations', () => {
  it('backtest_chunks: chunk rows kept in backtest_runs move to their own table; orphans are dropped', async () => {
    const { cp, readdir } = await import('node:fs/promises');
    const real = join(import.meta.dirname, 'migrations');
    const names = (await readdir(real)).filter((n) => /^\d{14}_/.test(n)).sort();
    const chunksAt = names.indexOf('20261206000400_backtest_chunks');
    expect(chunksAt).toBeGreaterThan(0);
    for (const n of names.slice(0, chunksAt)) await cp(join(real, n), join(dir, n), { recursive: true });
    await applyMigrations(conn, dir);
    await conn.exec(`
      INSERT INTO backtest_runs (id, kind, status, params) VALUES ('bt-1', 'optimize', 'completed', '{}');
      INSERT INTO backtest_runs (id, kind, status, params, result, finished_at) VALUES
        ('bt-1~c0', 'optimize', 'chunk', '{"computations": 2}', '{"trials": []}', now()),
        ('bt-1~f1-c0', 'optimize', 'chunk', '{"computations": 1}', NULL, NULL),
        ('bt-gone~c0', 'optimize', 'chunk', '{"computations": 1}', '{"trials": []}', now());`);
    for (const n of names.slice(chunksAt)) await cp(join(real, n), join(dir, n), { recursive: true });
    expect(await applyMigrations(conn, dir)).toContain('20261206000400_backtest_chunks');
    const chunks = await conn.query<{ run_id: string; key: string; computations: number; done: boolean }>(
      'SELECT run_id, key, computations, result IS NOT NULL AS done FROM backtest_chunks ORDER BY key',
    );
    expect(chunks).toEqual([
      { run_id: 'bt-1', key: 'c0', computations: 2, done: true },
      { run_id: 'bt-1', key: 'f1-c0', computations: 1, done: false },
    ]);
    expect(await conn.query('SELECT id FROM backtest_runs')).toEqual([{ id: 'bt-1' }]);
  });
});
