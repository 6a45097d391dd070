// `npm run bundle:workflows [-- OUT]`: builds the workflow bundle ahead of the worker's start (default
// dist/workflow-bundle.js) with the options the worker would use (workers/workers.ts). A worker started with
// WORKFLOW_BUNDLE=OUT loads it instead of running webpack itself: faster to start, and ~150-200 MB less resident
// memory. The bundle is the workflow code of this checkout: build it again after changing workflows (the image
// builds it with the code it ships).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { bundleWorkflows } from '../workers/workers';

const out = resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
const t0 = performance.now();
const { code } = await bundleWorkflows();
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, code);
console.log(
  `workflow bundle: ${out} (${(code.length / 1048576).toFixed(1)} MB, ${((performance.now() - t0) / 1000).toFixed(1)} s); start workers with WORKFLOW_BUNDLE=${out}`,
);
