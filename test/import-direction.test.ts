// Dependencies point one way: web -> api -> (core, exchange, prisma, Temporal client), and web reads the
// contract module (core/contract) for its types; workers -> workflows,
// activities; activities -> core, exchange, prisma; workflows -> core (and the activities' types, which
// Temporal's proxyActivities needs and the workflow bundle drops); core -> nothing outside core. This reads
// every relative import of the source (tests excluded: they may reach any layer they test) and fails on one
// that runs the wrong way. KNOWN lists the ones there still are; fixing one means deleting its line here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

/** Top-level directory -> the top-level directories it may import from (besides itself). */
const ALLOWED: Record<string, { any: string[]; typeOnly?: string[] }> = {
  // The contract module (core/contract) names the database's row types in the API's response shapes.
  core: { any: [], typeOnly: ['prisma'] },
  // The exchange provider reads live keys from the vault (its type only).
  exchange: { any: ['core', 'prisma'], typeOnly: ['security'] },
  prisma: { any: ['core'] },
  // Passwords, users, the master key, the vault, audit records: shared by the API, the workers and the CLI.
  security: { any: ['core', 'prisma'] },
  workflows: { any: ['core'], typeOnly: ['activities'] },
  activities: { any: ['core', 'exchange', 'prisma', 'security'] },
  api: { any: ['core', 'exchange', 'prisma', 'security', 'workflows'] },
  workers: { any: ['core', 'exchange', 'prisma', 'security', 'workflows', 'activities', 'api', 'scripts'] },
  scripts: { any: ['core', 'exchange', 'prisma', 'security', 'workflows', 'workers'] },
  bench: { any: ['core', 'exchange', 'prisma', 'security', 'workflows', 'activities', 'workers', 'api', 'scripts'] },
  web: { any: [], typeOnly: ['api', 'core', 'workflows'] },
};

/** Wrong-way imports not fixed yet (importing file -> imported path, as written). */
const KNOWN: string[] = [];

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'generated') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.(ts|tsx|mts|mjs)$/.test(name) && !/\.test\.tsx?$|\.fixture\.ts$/.test(name)) yield path;
  }
}

// `import x from '...'`, `import type {...} from '...'`, `export * from '...'`, `import '...'`, `import('...')`.
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function scan(): { found: string[]; crossing: number } {
  const found: string[] = [];
  let crossing = 0;
  for (const [layer, allowed] of Object.entries(ALLOWED)) {
    for (const file of sources(join(ROOT, layer))) {
      const from = relative(ROOT, file);
      for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const spec = m[2] ?? m[3];
        if (!spec.startsWith('.')) continue;
        const target = relative(ROOT, resolve(dirname(file), spec)).split(/[\\/]/)[0];
        if (target !== layer) crossing++;
        if (target === layer || allowed.any.includes(target)) continue;
        if (m[1] && allowed.typeOnly?.includes(target)) continue;
        found.push(`${from} -> ${spec}`);
      }
    }
  }
  return { found: found.sort(), crossing };
}

describe('import direction', () => {
  const { found, crossing } = scan();

  it('no import runs the wrong way beyond the known ones', () => {
    expect(found.filter((f) => !KNOWN.includes(f))).toEqual([]);
  });

  it('every known wrong-way import still exists (delete fixed ones from KNOWN)', () => {
    expect(KNOWN.filter((k) => !found.includes(k))).toEqual([]);
  });

  it('sees the imports between layers (the scan is not silently empty)', () => {
    expect(crossing).toBeGreaterThan(100);
  });
});

/**
 * What the workflow bundle evaluates: every file and package reachable from workflows/index.ts by imports that
 * run (not `import type`). The worker evaluates all of it again for each workflow it creates (Temporal's reused
 * V8 context gives every workflow fresh module state), so each module here costs every position and order start.
 */
function workflowBundleReach(): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    const from = relative(ROOT, file);
    if (files.has(from)) return;
    files.add(from);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = m[2] ?? m[3];
      if (m[1]) continue;
      if (!spec.startsWith('.')) {
        packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
        continue;
      }
      const base = resolve(dirname(file), spec);
      const target = [`${base}.ts`, join(base, 'index.ts'), base].find((p) =>
        statSync(p, { throwIfNoEntry: false })?.isFile(),
      );
      if (target) visit(target);
    }
  };
  visit(join(ROOT, 'workflows', 'index.ts'));
  return { files, packages };
}

describe('workflow bundle', () => {
  const { files, packages } = workflowBundleReach();

  it('leaves the backtest engine, the feature engine and the indicator library out', () => {
    expect([...files].filter((f) => /^core[\\/](backtest[\\/]engine|indicators[\\/])/.test(f))).toEqual([]);
    expect(packages.has('trading-signals')).toBe(false);
  });

  it('sees what the workflows run (the walk is not silently empty)', () => {
    expect(files.has(join('workflows', 'position.ts'))).toBe(true);
    expect(files.has(join('core', 'risk', 'exit-plan.ts'))).toBe(true);
    expect(packages.has('@temporalio/workflow')).toBe(true);
  });
});
