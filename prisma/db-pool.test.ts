// The PostgreSQL pool keeps POOL_WARM_CONNECTIONS server connections open from the start and through idle time, so
// a burst of writes (the rows of the positions one decision starts, before their orders go out) finds them open.
// Needs a server: TEST_DATABASE_URL.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openDatabase, POOL_WARM_CONNECTIONS } from './db';

const serverUrl = process.env.TEST_DATABASE_URL;
/** node-postgres closes an idle connection above the pool's minimum after this long (its default). */
const IDLE_TIMEOUT_MS = 10_000;

describe.skipIf(!serverUrl)('PostgreSQL pool (TEST_DATABASE_URL)', () => {
  it('opens its warm connections at once and keeps them through idle time; extra ones still close', async () => {
    // A name of its own, so only this pool's connections are counted on a server other tests share.
    const name = `pool_${randomBytes(4).toString('hex')}`;
    const url = new URL(serverUrl!);
    url.searchParams.set('schema', `test_${name}`);
    url.searchParams.set('application_name', name);
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    const connections = async () =>
      Number(
        (await admin.query('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [name])).rows[0].n,
      );
    const db = await openDatabase({ databaseUrl: url.toString() });
    try {
      expect(await connections()).toBe(POOL_WARM_CONNECTIONS);
      // A burst wider than the warm set: the pool opens more for it.
      await Promise.all(
        Array.from(
          { length: POOL_WARM_CONNECTIONS + 4 },
          () => db.prisma.$queryRaw`SELECT 1 AS one FROM pg_sleep(0.2)`,
        ),
      );
      expect(await connections()).toBeGreaterThan(POOL_WARM_CONNECTIONS);
      await new Promise((r) => setTimeout(r, IDLE_TIMEOUT_MS + 1_500));
      expect(await connections()).toBe(POOL_WARM_CONNECTIONS);
    } finally {
      await db.close();
      await admin.query(`DROP SCHEMA IF EXISTS "test_${name}" CASCADE`);
      await admin.end();
    }
  }, 40_000);
});
