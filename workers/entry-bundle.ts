// The standalone worker's entry (workers/main.ts) built ahead into one JavaScript file, as the image runs it
// (`npm run bundle:worker`). Run through tsx, the worker kept the loader, every module's transformed source and its
// inline source map resident: about 30 MB of a trading worker holding 50 positions (`bench positions --layout
// split`: 323 MB through tsx, 294 MB built). Packages stay outside the file (node_modules beside it), so it must
// be written inside the checkout; the source locations written into it are absolute, so it runs where it was built
// (the image builds and runs it in /app). Not imported by the worker itself: esbuild is a build tool.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

const WORKER_ENTRY_SOURCE = join(import.meta.dirname, 'main.ts');
const CHECKOUT = join(import.meta.dirname, '..');

/**
 * Each module keeps the location of its source: `import.meta.url` and `import.meta.dirname` become the source file's
 * own, so paths next to the code (migrations, sample candles, the engine thread's entry) resolve as they do through
 * tsx, wherever the built file is.
 */
const keepSourceLocation: Plugin = {
  name: 'keep-source-location',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const contents = source.includes('import.meta')
        ? source
            .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
            .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
        : source;
      return { contents, loader: 'ts' };
    });
  },
};

/** Builds the worker entry into `outFile` (inside the checkout: packages are loaded from its node_modules). */
export async function bundleWorkerEntry(outFile: string): Promise<{ file: string; bytes: number; modules: number }> {
  const file = resolve(outFile);
  const result = await build({
    entryPoints: [WORKER_ENTRY_SOURCE],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    // Packages load from node_modules as they do under tsx (native addons, the SDK's own workflow bundler).
    packages: 'external',
    plugins: [keepSourceLocation],
    metafile: true,
    logLevel: 'warning',
  });
  const out = result.metafile.outputs[Object.keys(result.metafile.outputs)[0]];
  return { file, bytes: out.bytes, modules: Object.keys(result.metafile.inputs).length };
}

/**
 * Builds the worker entry of this checkout's code (benchmarks and tests start it as the image runs it) into a
 * directory of its own under node_modules/.cache: inside the checkout, so its packages resolve; never shared.
 */
export async function bundleWorkerEntryInCache(): Promise<string> {
  const cache = join(CHECKOUT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const { file } = await bundleWorkerEntry(join(mkdtempSync(join(cache, 'worker-entry-')), 'worker.mjs'));
  return file;
}
