#!/usr/bin/env node
// Generates the Prisma client into prisma/generated when it is missing or its inputs changed
// (schema files, prisma.config.ts, Prisma's version), then prints one line saying what it did.
// Node built-ins only, so bootstrap can run it before anything else.
//
// Prisma's CLI wants its native schema engine even for `generate`, which does not use it, and
// would download it; pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file skips that.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const schemaDir = join(root, 'prisma', 'schema');
const outDir = join(root, 'prisma', 'generated');
const stampFile = join(outDir, '.inputs.sha256');
const prismaPkg = createRequire(join(root, 'package.json')).resolve('prisma/package.json');

function schemaFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) =>
      e.isDirectory() ? schemaFiles(join(dir, e.name)) : e.name.endsWith('.prisma') ? [join(dir, e.name)] : [],
    )
    .sort();
}

function inputsHash() {
  const hash = createHash('sha256');
  for (const file of [...schemaFiles(schemaDir), join(root, 'prisma.config.ts'), prismaPkg]) {
    hash.update(relative(root, file)).update('\0');
    if (existsSync(file)) hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

const wanted = inputsHash();
const have = existsSync(join(outDir, 'client.ts')) && existsSync(stampFile) ? readFileSync(stampFile, 'utf8') : '';
if (have === wanted) {
  console.log('prisma generate: client up to date (prisma/generated)');
  process.exit(0);
}

const engine = process.env.PRISMA_SCHEMA_ENGINE_BINARY;
const started = Date.now();
const run = spawnSync(process.execPath, [join(dirname(prismaPkg), 'build', 'index.js'), 'generate'], {
  cwd: root,
  encoding: 'utf8',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: engine && existsSync(engine) ? engine : process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    CHECKPOINT_DISABLE: '1',
  },
});
if (run.status !== 0) {
  process.stderr.write(run.stdout + run.stderr);
  console.error(`prisma generate: FAILED (exit ${run.status ?? run.signal})`);
  process.exit(1);
}
writeFileSync(stampFile, wanted);
console.log(
  `prisma generate: client ${have ? 'regenerated (inputs changed)' : 'generated'} in prisma/generated (${Date.now() - started} ms)`,
);
