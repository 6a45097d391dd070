// PGlite opens a data directory even when another PGlite (in this or another process) has it open,
// and two writers corrupt it. A lock file beside the directory keeps it to one owner at a time.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Takes `<dir>.lock` for this process and returns the function that releases it. Throws when a live
 * process (this one included) holds it; a lock left by a process that is gone is taken over.
 */
export function lockDataDir(dir: string): () => void {
  const file = `${dir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
    if (Number.isInteger(holder) && isAlive(holder)) {
      throw new Error(
        `embedded database ${dir} is already open in process ${holder}${holder === process.pid ? ' (this one)' : ''}; ` +
          'PGlite allows one owner: close it first, or set DATABASE_URL to a PostgreSQL server to share one database',
      );
    }
    rmSync(file, { force: true }); // stale: its process is gone
  }
  throw new Error(`embedded database ${dir}: could not take ${file}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
