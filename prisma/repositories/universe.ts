// Universe snapshots (`universe_snapshots`): the screened tradable markets of a mode, newest first; and the
// exchange's market list (`markets`) they were screened from.
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

export interface MarketInfo {
  code: string;
  koreanName: string;
  englishName: string;
  warning: boolean;
  caution: object;
  quote: string;
}

/** Stores the exchange's markets, replacing what was stored of each. */
export async function saveMarkets(db: Database, markets: MarketInfo[]): Promise<void> {
  for (const { code, ...data } of markets)
    await db.prisma.market.upsert({ where: { code }, create: { code, ...data }, update: data });
}

/** Stores a screened universe of a mode; returns the new snapshot's id. */
export async function saveUniverse(
  db: Database,
  snapshot: { mode: TradingMode; selected: UniverseRow[]; excluded: object[] },
): Promise<string> {
  const row = await db.prisma.universeSnapshot.create({
    data: { mode: snapshot.mode, selected: snapshot.selected as object[], excluded: snapshot.excluded },
  });
  return row.id;
}
