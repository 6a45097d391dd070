// Universe snapshots (`universe_snapshots`): the screened tradable markets of a mode, newest first.
import type { TradingMode } from '../../core/session/config';
import type { UniverseRow } from '../../core/strategy/universe';
import type { Database } from '../db';

/** The newest stored universe of a mode, or null. */
export async function latestUniverse(db: Database, mode: TradingMode) {
  const row = await db.prisma.universeSnapshot.findFirst({
    where: { mode },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
  });
  return row && { ...row, selected: row.selected as unknown as UniverseRow[] };
}
