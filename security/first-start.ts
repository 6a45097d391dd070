// What a server process does about access before it serves: load (or create) the master key, and on
// the very first start create the admin, printing a generated password once.
import { mkdirSync } from 'node:fs';
import type { Database } from '../prisma/db';
import { loadMasterKey } from './master-key';
import { ensureFirstAdmin } from './users';

export async function prepareAccess(db: Database, dataDir: string, print: (line: string) => void): Promise<Buffer> {
  mkdirSync(dataDir, { recursive: true });
  const masterKey = loadMasterKey(dataDir);
  const first = await ensureFirstAdmin(db, process.env.ADMIN_PASSWORD);
  if (first?.generatedPassword) {
    print(`first start: created user "${first.username}" (admin) with the password below; it is shown only now.`);
    print(`  ${first.generatedPassword}`);
    print('  change it with `npm run user -- passwd admin` or PATCH /api/users/admin.');
  } else if (first) {
    print(`first start: created user "${first.username}" (admin) with the password from ADMIN_PASSWORD.`);
  }
  return masterKey;
}
