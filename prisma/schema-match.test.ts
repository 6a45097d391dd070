// The hand-written migrations must build exactly the database the Prisma schema describes, with the
// names Prisma itself would give (so `prisma migrate deploy` elsewhere and this project agree).
// Prisma parses the schema (through dmmf-generator.mjs); the migrated database is read from its catalog.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from './db';

interface DmmfField {
  name: string;
  dbName?: string | null;
  kind: 'scalar' | 'enum' | 'object' | 'unsupported';
  type: string;
  isRequired: boolean;
  isUpdatedAt: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  nativeType?: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
  primaryKey: { fields: string[] } | null;
}
interface DmmfDatamodel {
  models: DmmfModel[];
  enums: { name: string; dbName: string | null; values: { name: string; dbName: string | null }[] }[];
  indexes: {
    model: string;
    type: 'id' | 'unique' | 'normal' | 'fulltext';
    dbName?: string | null;
    fields: { name: string }[];
  }[];
}

const here = dirname(fileURLToPath(import.meta.url));

/** The data model as Prisma's own parser reads prisma/schema (all files). */
async function prismaDatamodel(): Promise<DmmfDatamodel> {
  const work = await mkdtemp(join(tmpdir(), 'upbit-dmmf-'));
  try {
    const schemaDir = join(work, 'schema');
    await mkdir(schemaDir);
    for (const file of await readdir(join(here, 'schema'))) {
      if (!file.endsWith('.prisma')) continue;
      const text = await readFile(join(here, 'schema', file), 'utf8');
      // only the data model matters here: swap the client generator for the DMMF one
      await writeFile(join(schemaDir, file), text.replace(/generator\s+client\s*\{[^}]*\}/, ''));
    }
    const generator = join(here, 'dmmf-generator.mjs').replaceAll('\\', '/');
    await writeFile(
      join(schemaDir, 'dmmf.prisma'),
      `generator dmmf {\n  provider = "node ${generator}"\n  output   = "${join(work, 'out').replaceAll('\\', '/')}"\n}\n`,
    );
    const cli = join(dirname(createRequire(import.meta.url).resolve('prisma/package.json')), 'build', 'index.js');
    const run = spawnSync(process.execPath, [cli, 'generate', '--schema', schemaDir], {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.execPath, CHECKPOINT_DISABLE: '1' },
    });
    if (run.status !== 0) throw new Error(`prisma generate (DMMF) failed:\n${run.stdout}${run.stderr}`);
    return JSON.parse(await readFile(join(work, 'out', 'datamodel.json'), 'utf8'));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

// --- what Prisma's migration would create for the data model ---------------------------------

const tableOf = (m: DmmfModel) => m.dbName ?? m.name;
const columnOf = (f: DmmfField) => f.dbName ?? f.name;

function expectedType(f: DmmfField, dm: DmmfDatamodel): string {
  if (f.kind === 'enum') {
    const e = dm.enums.find((x) => x.name === f.type);
    return e?.dbName ?? f.type;
  }
  const [native, args = []] = f.nativeType ?? [undefined, []];
  const type = native === undefined ? PLAIN_TYPES[f.type] : nativeType(native, args);
  if (type === undefined) {
    throw new Error(`schema-match.test.ts does not know ${f.type} @db.${native}(${args}) yet; teach expectedType`);
  }
  return type;
}

// Prisma's PostgreSQL column type for a field without @db.*, as format_type() prints it.
const PLAIN_TYPES: Record<string, string> = {
  String: 'text',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Boolean: 'boolean',
  Json: 'jsonb',
  Bytes: 'bytea',
  Decimal: 'numeric(65,30)',
  DateTime: 'timestamp(3) without time zone',
};

function nativeType(native: string, args: string[]): string | undefined {
  switch (native) {
    case 'VarChar':
      return `character varying(${args[0]})`;
    case 'Decimal':
      return `numeric(${args[0]},${args[1]})`;
    case 'Timestamptz':
      return args.length === 1 ? `timestamp(${args[0]}) with time zone` : undefined;
    default:
      return undefined;
  }
}

function expectedDefault(f: DmmfField, dm: DmmfDatamodel): string | null {
  if (!f.hasDefaultValue) return null;
  const d = f.default;
  if (typeof d === 'object' && d !== null && 'name' in d) {
    const fn = (d as { name: string }).name;
    if (fn === 'now') return 'CURRENT_TIMESTAMP';
    if (['uuid', 'cuid', 'ulid', 'nanoid'].includes(fn)) return null; // made by the client, not the database
    throw new Error(`schema-match.test.ts does not know @default(${fn}()) yet; teach expectedDefault`);
  }
  if (f.kind === 'enum') return `'${d}'::${expectedType(f, dm)}`;
  if (f.type === 'Json') return `'${d}'::jsonb`;
  if (f.type === 'String') return `'${d}'::text`;
  return String(d);
}

interface Column {
  table: string;
  column: string;
  type: string;
  notNull: boolean;
  default: string | null;
}
interface Index {
  table: string;
  name: string;
  columns: string[];
  unique: boolean;
  primary: boolean;
}
interface ForeignKey {
  table: string;
  name: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
  onDelete: string;
  onUpdate: string;
}

const ON_ACTION: Record<string, string> = {
  Cascade: 'c',
  Restrict: 'r',
  NoAction: 'a',
  SetNull: 'n',
  SetDefault: 'd',
};

function expected(dm: DmmfDatamodel) {
  const models = new Map(dm.models.map((m) => [m.name, m]));
  const col = (m: DmmfModel, field: string) => columnOf(m.fields.find((f) => f.name === field) as DmmfField);
  const columns: Column[] = [];
  const indexes: Index[] = [];
  const foreignKeys: ForeignKey[] = [];
  for (const m of dm.models) {
    const table = tableOf(m);
    for (const f of m.fields) {
      if (f.kind === 'object') continue;
      columns.push({
        table,
        column: columnOf(f),
        type: expectedType(f, dm),
        notNull: f.isRequired,
        default: expectedDefault(f, dm),
      });
    }
    for (const f of m.fields) {
      if (f.kind !== 'object' || !f.relationFromFields?.length) continue;
      const target = models.get(f.type) as DmmfModel;
      const from = f.relationFromFields.map((x) => col(m, x));
      // Prisma's defaults: RESTRICT for a required relation, SET NULL for an optional one; updates cascade
      const required = f.relationFromFields.every((x) => m.fields.find((y) => y.name === x)?.isRequired);
      foreignKeys.push({
        table,
        name: `${table}_${from.join('_')}_fkey`,
        columns: from,
        refTable: tableOf(target),
        refColumns: (f.relationToFields ?? []).map((x) => col(target, x)),
        onDelete: ON_ACTION[f.relationOnDelete ?? (required ? 'Restrict' : 'SetNull')],
        onUpdate: 'c',
      });
    }
  }
  for (const ix of dm.indexes) {
    const m = models.get(ix.model) as DmmfModel;
    const table = tableOf(m);
    const cols = ix.fields.map((x) => col(m, x.name));
    const suffix = { id: 'pkey', unique: 'key', normal: 'idx', fulltext: 'idx' }[ix.type];
    const name = ix.dbName ?? (ix.type === 'id' ? `${table}_pkey` : `${table}_${cols.join('_')}_${suffix}`);
    indexes.push({ table, name, columns: cols, unique: ix.type !== 'normal', primary: ix.type === 'id' });
  }
  const enums = dm.enums.map((e) => ({ name: e.dbName ?? e.name, values: e.values.map((v) => v.dbName ?? v.name) }));
  const tables = dm.models.map(tableOf);
  return { tables, columns, indexes, foreignKeys, enums };
}

// --- what the migrations did create ----------------------------------------------------------

async function actual(db: Database) {
  const q = db.prisma;
  const tables = (
    await q.$queryRaw<{ name: string }[]>`
      SELECT tablename::text AS name FROM pg_tables
      WHERE schemaname = current_schema() AND tablename <> '_prisma_migrations'`
  ).map((r) => r.name);
  const columns = await q.$queryRaw<Column[]>`
    SELECT c.relname::text AS "table", a.attname::text AS "column", format_type(a.atttypid, a.atttypmod) AS "type",
           a.attnotnull AS "notNull", pg_get_expr(d.adbin, d.adrelid) AS "default"
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname <> '_prisma_migrations'
      AND a.attnum > 0 AND NOT a.attisdropped`;
  const indexes = await q.$queryRaw<Index[]>`
    SELECT t.relname::text AS "table", i.relname::text AS "name", ix.indisunique AS "unique", ix.indisprimary AS "primary",
           ARRAY(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord) AS "columns"
    FROM pg_index ix
    JOIN pg_class i ON i.oid = ix.indexrelid
    JOIN pg_class t ON t.oid = ix.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE n.nspname = current_schema() AND t.relname <> '_prisma_migrations'`;
  const foreignKeys = await q.$queryRaw<ForeignKey[]>`
    SELECT t.relname::text AS "table", con.conname::text AS "name", r.relname::text AS "refTable",
           ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS "columns",
           ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                 JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS "refColumns",
           con.confdeltype::text AS "onDelete", con.confupdtype::text AS "onUpdate"
    FROM pg_constraint con
    JOIN pg_class t ON t.oid = con.conrelid
    JOIN pg_class r ON r.oid = con.confrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE con.contype = 'f' AND n.nspname = current_schema()`;
  const enums = await q.$queryRaw<{ name: string; values: string[] }[]>`
    SELECT t.typname::text AS "name", array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS "values"
    FROM pg_type t
    JOIN pg_enum e ON e.enumtypid = t.oid
    JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = current_schema()
    GROUP BY t.typname`;
  return { tables, columns, indexes, foreignKeys, enums };
}

const byKey = <T>(rows: T[], key: (r: T) => string) => [...rows].sort((a, b) => key(a).localeCompare(key(b)));

describe('migrations match the Prisma schema', () => {
  let db: Database;
  let want: ReturnType<typeof expected>;
  let have: Awaited<ReturnType<typeof actual>>;

  beforeAll(async () => {
    const [datamodel, opened] = await Promise.all([prismaDatamodel(), openDatabase({ databaseUrl: 'memory://' })]);
    db = opened;
    want = expected(datamodel);
    have = await actual(db);
  });

  afterAll(async () => {
    await db?.close();
  });

  it('has one table per model and nothing else', () => {
    expect(want.tables.length).toBeGreaterThanOrEqual(16);
    expect([...have.tables].sort()).toEqual([...want.tables].sort());
  });

  it('has every column with the declared type, nullability and default', () => {
    const key = (c: Column) => `${c.table}.${c.column}`;
    expect(byKey(have.columns, key)).toEqual(byKey(want.columns, key));
  });

  it('has the primary keys, unique and plain indexes, under the names Prisma gives them', () => {
    const key = (i: Index) => i.name;
    expect(byKey(have.indexes, key)).toEqual(byKey(want.indexes, key));
  });

  it('has the foreign keys, with their delete and update actions', () => {
    const key = (f: ForeignKey) => f.name;
    expect(byKey(have.foreignKeys, key)).toEqual(byKey(want.foreignKeys, key));
  });

  it('has every enum type with its values in order', () => {
    const key = (e: { name: string }) => e.name;
    expect(byKey(have.enums, key)).toEqual(byKey(want.enums, key));
  });
});
