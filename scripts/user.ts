// `npm run user -- add|passwd|role|list`: users from the shell. With embedded PGlite the server must
// be stopped (one process owns the data directory); against PostgreSQL it may run.
//   add <username> <admin|viewer>   a generated password is printed once (or one line from stdin with --password-stdin)
//   passwd <username>               likewise
//   role <username> <admin|viewer>
//   list
import { readFileSync } from 'node:fs';
import { openDatabase } from '../prisma/db';
import { generatePassword } from '../security/passwords';
import { addUser, listUsers, setPassword, setRole, UserError } from '../security/users';

const USAGE = `usage: npm run user -- add <username> <admin|viewer> [--password-stdin]
       npm run user -- passwd <username> [--password-stdin]
       npm run user -- role <username> <admin|viewer>
       npm run user -- list`;

const args = process.argv.slice(2);
const fromStdin = args.includes('--password-stdin');
const [command, username, role] = args.filter((a) => a !== '--password-stdin');

/** The new password: one line of stdin, or a generated one that is printed once. */
function newPassword(): { password: string; show: boolean } {
  if (fromStdin) return { password: readFileSync(0, 'utf8').split(/\r?\n/)[0], show: false };
  return { password: generatePassword(), show: true };
}

async function run(): Promise<number> {
  const db = await openDatabase();
  try {
    switch (command) {
      case 'list':
        for (const u of await listUsers(db)) console.log(`${u.username}\t${u.role}\t${u.createdAt.toISOString()}`);
        return 0;
      case 'add': {
        if (!username || !role) break;
        const { password, show } = newPassword();
        await addUser(db, 'cli', { username, role, password });
        console.log(`added ${username} (${role})${show ? `; password (shown only now): ${password}` : ''}`);
        return 0;
      }
      case 'passwd': {
        if (!username) break;
        const { password, show } = newPassword();
        await setPassword(db, 'cli', username, password);
        console.log(`new password for ${username}${show ? ` (shown only now): ${password}` : ' set'}`);
        return 0;
      }
      case 'role':
        if (!username || !role) break;
        await setRole(db, 'cli', username, role);
        console.log(`${username} is now ${role}`);
        return 0;
    }
    console.error(USAGE);
    return 2;
  } catch (err) {
    if (err instanceof UserError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  } finally {
    await db.close();
  }
}

process.exitCode = await run();
