// `npm run bundle:worker [-- OUT]`: builds the standalone worker's entry (workers/main.ts) into one JavaScript file
// (default dist/worker.mjs), as the image runs it: `node dist/worker.mjs` keeps about 30 MB less resident memory than
// the entry run through tsx (workers/entry-bundle.ts). OUT must be inside the checkout; build it again after
// changing the code.
import { relative } from 'node:path';
import { bundleWorkerEntry } from '../workers/entry-bundle';

const t0 = performance.now();
const { file, bytes, modules } = await bundleWorkerEntry(process.argv[2] ?? 'dist/worker.mjs');
console.log(
  `worker entry: ${relative(process.cwd(), file)} (${modules} modules, ${(bytes / 1024).toFixed(0)} KB, ${((performance.now() - t0) / 1000).toFixed(1)} s); run it with node ${relative(process.cwd(), file)}`,
);
