// The one way to get a database: embedded PGlite (default, data under ./data/pg) or a PostgreSQL
// server (DATABASE_URL), migrated before use. Everything Prisma generates is re-exported from
// here; nothing else imports prisma/generated.
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { lockDataDir } from './data-dir-lock';
import { PrismaClient } from './generated/client';
import { applyMigrations } from './migrate';

export * from './generated/client';

export type DatabaseKind = 'pglite' | 'postgres';

export interface Database {
  prisma: PrismaClient;
  kind: DatabaseKind;
  /** Migrations this open applied, in order (empty when the database was up to date). */
  appliedMigrations: string[];
  /** Disconnects Prisma and releases the pool or the embedded database. Safe to call twice. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /**
   * `postgres://` or `postgresql://` URL of a server (Prisma's `?schema=name` is honoured), or
   * `memory://` for a throwaway in-memory PGlite. Default: env DATABASE_URL; unset or empty means
   * embedded PGlite on disk.
   */
  databaseUrl?: string;
  /** Embedded PGlite keeps its files in `<dataDir>/pg`. Default: env DATA_DIR, else ./data. */
  dataDir?: string;
}

const CONNECT_TIMEOUT_MS = 10_000;
/**
 * Server connections opened with the pool and kept however long they sit idle (node-postgres closes the others after
 * 10 s). A trading worker's writes come in bursts a bar apart: the positions a decision starts each write their row
 * before their entry order goes out. On cold connections every burst paid a connection per writer (a backend
 * started and a SCRAM handshake: 4-14 ms alone, 11-35 ms for a burst of five on 2 cores) on the signal's path.
 */
export const POOL_WARM_CONNECTIONS = 4;

/** Opens the database, applies pending migrations, and returns a ready Prisma client. */
export async function openDatabase(opts: OpenDatabaseOptions = {}): Promise<Database> {
  const url = opts.databaseUrl ?? process.env.DATABASE_URL ?? '';
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url);
  if (url === 'memory://') return openPglite(new PGlite(), 'in memory');
  if (url !== '') {
    throw new Error(
      `DATABASE_URL must be a postgres:// or postgresql:// URL, memory://, or unset for embedded PGlite; got "${redact(url)}"`,
    );
  }
  const dir = resolve(opts.dataDir ?? process.env.DATA_DIR ?? './data', 'pg');
  await mkdir(dir, { recursive: true });
  const unlock = lockDataDir(dir);
  try {
    return await openPglite(new PGlite(dir), dir, unlock);
  } catch (err) {
    unlock();
    throw err;
  }
}

/** 'ok' when the database answers a query, else the error text (for the health endpoint). */
export async function checkDatabase(db: Database): Promise<string> {
  try {
    await db.prisma.$queryRaw`SELECT 1`;
    return 'ok';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

async function openPglite(pglite: PGlite, where: string, unlock = () => {}): Promise<Database> {
  let appliedMigrations: string[];
  try {
    await pglite.waitReady;
    appliedMigrations = await applyMigrations({
      exec: async (sql) => {
        await pglite.exec(sql);
      },
      query: async <Row>(sql: string, params?: unknown[]) => (await pglite.query<Row>(sql, params)).rows,
    });
  } catch (err) {
    await pglite.close().catch(() => undefined);
    throw new Error(`embedded database ${where}: ${(err as Error).message}`, { cause: err });
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    prisma,
    kind: 'pglite',
    appliedMigrations,
    close: once(async () => {
      try {
        await prisma.$disconnect();
        await pglite.close();
      } finally {
        unlock();
      }
    }),
  };
}

async function openPostgres(url: string): Promise<Database> {
  const parsed = new URL(url);
  // Prisma's `?schema=` convention; node-postgres does not know it, so it becomes the search_path.
  const schema = parsed.searchParams.get('schema') ?? undefined;
  parsed.searchParams.delete('schema');
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) {
    throw new Error(`DATABASE_URL ?schema= must be a plain identifier (letters, digits, _); got "${schema}"`);
  }
  const pool = new pg.Pool({
    connectionString: parsed.toString(),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    min: POOL_WARM_CONNECTIONS,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  let appliedMigrations: string[];
  try {
    const conn = await pool.connect();
    try {
      if (schema) await createSchema(conn, schema);
      appliedMigrations = await applyMigrations({
        exec: async (sql) => {
          await conn.query(sql);
        },
        query: async <Row>(sql: string, params?: unknown[]) => (await conn.query(sql, params)).rows as Row[],
      });
    } finally {
      conn.release();
    }
    // Opened now, together, so the first burst finds them (the pool keeps `min` of them, never reaps them).
    const warm = await Promise.all(Array.from({ length: POOL_WARM_CONNECTIONS }, () => pool.connect()));
    for (const c of warm) c.release();
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(`database ${redact(url)}: ${(err as Error).message}`, { cause: err });
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { schema }) });
  return {
    prisma,
    kind: 'postgres',
    appliedMigrations,
    close: once(async () => {
      await prisma.$disconnect();
      await pool.end();
    }),
  };
}

// Two processes starting at once may both try to create it; the loser's error means it exists.
async function createSchema(conn: pg.PoolClient, schema: string): Promise<void> {
  try {
    await conn.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== '23505' && code !== '42P06') throw err;
  }
}

/** The URL without its password, for error messages. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= fn();
    return done;
  };
}
