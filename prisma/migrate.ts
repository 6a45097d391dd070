// Applies prisma/migrations/<stamp>_<name>/migration.sql in name order and records each in
// Prisma's own `_prisma_migrations` table, so `prisma migrate deploy` / `migrate status` agree
// with what start-up did (Prisma's native schema engine cannot be downloaded here).
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One database connection (not a pool: the advisory lock and each transaction must stay on it). */
export interface MigrationConnection {
  /** Runs a script of one or more statements, without parameters. */
  exec(sql: string): Promise<void>;
  /** Runs one statement with $1, $2, ... parameters and returns its rows. */
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
}

export interface Migration {
  /** folder name, e.g. '20261121000000_init' */
  name: string;
  sql: string;
  /** sha256 hex of migration.sql, as Prisma stores it */
  checksum: string;
}

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url));

// The key Prisma's schema engine locks, so our runner and `prisma migrate deploy` exclude each other.
const PRISMA_ADVISORY_LOCK_KEY = 72707369;

// Prisma's table, column for column.
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

interface AppliedRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
}

/** Every migration folder under `dir`, in the order Prisma applies them (folder name order). */
export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const file = join(dir, name, 'migration.sql');
      const bytes = await readFile(file).catch((err: NodeJS.ErrnoException) => {
        throw new Error(`migration folder ${name} has no readable migration.sql (${err.code ?? err.message})`);
      });
      return { name, sql: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') };
    }),
  );
}

/**
 * Applies every migration not yet recorded, each in its own transaction, and returns the names it
 * applied (empty when the database was already up to date). Safe to run from several processes
 * at once against one server: they queue on Prisma's advisory lock.
 * Throws, naming the migration, when one fails (nothing of it stays applied), when an applied
 * migration's file has changed since, or when Prisma recorded a failed attempt still unresolved.
 */
export async function applyMigrations(conn: MigrationConnection, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await readMigrations(dir);
  await conn.exec(`SELECT pg_advisory_lock(${PRISMA_ADVISORY_LOCK_KEY})`);
  try {
    await conn.exec(CREATE_MIGRATIONS_TABLE);
    const rows = await conn.query<AppliedRow>(
      'SELECT "migration_name", "checksum", "finished_at" FROM "_prisma_migrations" WHERE "rolled_back_at" IS NULL',
    );
    const applied: string[] = [];
    for (const migration of migrations) {
      const records = rows.filter((r) => r.migration_name === migration.name);
      const failed = records.find((r) => r.finished_at === null);
      if (failed) {
        throw new Error(
          `migration ${migration.name} failed in an earlier attempt and is unresolved; ` +
            `fix the database, then mark it with \`prisma migrate resolve\``,
        );
      }
      const done = records[0];
      if (done) {
        if (done.checksum !== migration.checksum) {
          throw new Error(
            `migration ${migration.name} was edited after it was applied ` +
              `(recorded checksum ${done.checksum}, file ${migration.checksum}); add a new migration instead`,
          );
        }
        continue;
      }
      await applyOne(conn, migration);
      applied.push(migration.name);
    }
    return applied;
  } finally {
    // The lock belongs to the session: if the connection is gone, so is the lock.
    await conn.exec(`SELECT pg_advisory_unlock(${PRISMA_ADVISORY_LOCK_KEY})`).catch(() => undefined);
  }
}

async function applyOne(conn: MigrationConnection, migration: Migration): Promise<void> {
  const id = randomUUID();
  await conn.exec('BEGIN');
  try {
    await conn.query(
      'INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "started_at", "applied_steps_count") ' +
        'VALUES ($1, $2, $3, now(), 0)',
      [id, migration.checksum, migration.name],
    );
    await conn.exec(migration.sql);
    // clock_timestamp(): now() would be the transaction's start, equal to started_at.
    await conn.query(
      'UPDATE "_prisma_migrations" SET "finished_at" = clock_timestamp(), "applied_steps_count" = 1 WHERE "id" = $1',
      [id],
    );
    await conn.exec('COMMIT');
  } catch (err) {
    // A failed ROLLBACK means the connection is gone, which rolls back too; report the cause.
    await conn.exec('ROLLBACK').catch(() => undefined);
    throw new Error(`migration ${migration.name} failed and was rolled back: ${(err as Error).message}`, {
      cause: err,
    });
  }
}
