// Database access goes through prisma/repositories: a Prisma model call (`<client>.<model>.<operation>(`) or a
// raw query or transaction (`.$transaction(`, `.$queryRaw`, ...) in a source file outside prisma/ fails this
// test. Tests are excluded (they set up and inspect rows directly). ALLOWED lists the few places that may
// still call Prisma, each with why; KNOWN the calls not moved yet (fixing one means deleting its line).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Prisma } from '../prisma/db';

const ROOT = join(import.meta.dirname, '..');
const LAYERS = ['activities', 'api', 'core', 'exchange', 'scripts', 'security', 'workers', 'workflows', 'web', 'bench'];

/** Paths (a folder ends in `/`) that may call Prisma directly, and why. */
const ALLOWED: Record<string, string> = {
  // The simulator stands in for the exchange: it keeps its own tables (sim_*) and replays stored candles.
  'exchange/sim/': "the simulator's own store and replay feed",
  // Benchmarks inspect what a run left in the database, as the tests do.
  'bench/': 'measurement scripts read the stack they drove',
};

/** Calls not behind a repository yet (`file: model.operation`). */
const KNOWN: string[] = [];

const models = Object.values(Prisma.ModelName).map((m) => m[0].toLowerCase() + m.slice(1));
const operations = [
  'findUnique',
  'findUniqueOrThrow',
  'findFirst',
  'findFirstOrThrow',
  'findMany',
  'create',
  'createMany',
  'createManyAndReturn',
  'update',
  'updateMany',
  'updateManyAndReturn',
  'upsert',
  'delete',
  'deleteMany',
  'count',
  'aggregate',
  'groupBy',
];
const MODEL_CALL = new RegExp(`\\.\\s*(${models.join('|')})\\s*\\.\\s*(${operations.join('|')})\\s*\\(`, 'g');
const CLIENT_CALL = /\.\s*(\$transaction|\$queryRaw|\$queryRawUnsafe|\$executeRaw|\$executeRawUnsafe)\b/g;

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'generated') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.(ts|tsx|mts|mjs)$/.test(name) && !/\.test\.tsx?$|\.fixture\.ts$/.test(name)) yield path;
  }
}

function scan(): string[] {
  const found = new Set<string>();
  for (const layer of LAYERS)
    for (const file of sources(join(ROOT, layer))) {
      const path = relative(ROOT, file).split(/[\\/]/).join('/');
      if (Object.keys(ALLOWED).some((a) => (a.endsWith('/') ? path.startsWith(a) : path === a))) continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(MODEL_CALL)) found.add(`${path}: ${m[1]}.${m[2]}`);
      for (const m of text.matchAll(CLIENT_CALL)) found.add(`${path}: ${m[1]}`);
    }
  return [...found].sort();
}

describe('database access', () => {
  const found = scan();

  it('no Prisma call outside prisma/ beyond the allowed places and the known ones', () => {
    expect(found.filter((f) => !KNOWN.includes(f))).toEqual([]);
  });

  it('every known call still exists (delete moved ones from KNOWN)', () => {
    expect(KNOWN.filter((k) => !found.includes(k))).toEqual([]);
  });

  it('recognises a model call, a transaction and a raw query', () => {
    const sample =
      'await db.prisma.order.findMany({});\nawait this.prisma.$transaction([]);\nprisma.$executeRawUnsafe(sql)';
    expect([...sample.matchAll(MODEL_CALL)].map((m) => `${m[1]}.${m[2]}`)).toEqual(['order.findMany']);
    expect([...sample.matchAll(CLIENT_CALL)].map((m) => m[1])).toEqual(['$transaction', '$executeRawUnsafe']);
  });
});
