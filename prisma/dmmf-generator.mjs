#!/usr/bin/env node
// A Prisma generator that writes the schema's data model as Prisma parsed it (the DMMF) to
// <output>/datamodel.json. schema-match.test.ts runs it to compare the migrated database with the schema.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

// Prisma drives generators with JSON-RPC, one message per line: requests on stdin, replies on stderr.
const reply = (id, result) => process.stderr.write(`${JSON.stringify({ jsonrpc: '2.0', id, result })}\n`);

createInterface({ input: process.stdin }).on('line', (line) => {
  const { id, method, params } = JSON.parse(line);
  if (method === 'getManifest') {
    reply(id, { manifest: { prettyName: 'DMMF data model', requiresEngines: [] } });
  } else if (method === 'generate') {
    const out = params.generator.output.value;
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'datamodel.json'), JSON.stringify(params.dmmf.datamodel));
    reply(id, null);
  }
});
