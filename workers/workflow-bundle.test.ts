// A worker given a bundle built ahead (WORKFLOW_BUNDLE) loads that file; a missing or foreign file stops its start
// with a message that says what to do, instead of a worker that polls without the project's workflows.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleWorkflows, readWorkflowBundle } from './workers';

describe('a workflow bundle built ahead', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-test-'));

  it('is read back as the code the worker would have bundled itself', async () => {
    const { code } = await bundleWorkflows();
    const path = join(dir, 'workflow-bundle.js');
    writeFileSync(path, code);
    const read = await readWorkflowBundle(path);
    expect(read).toBe(code);
    expect(read).toContain('positionWorkflow');
  }, 60_000);

  it('stops the start when the file is missing', async () => {
    await expect(readWorkflowBundle(join(dir, 'absent.js'))).rejects.toThrow(
      /cannot read it.*npm run bundle:workflows/,
    );
  });

  it("stops the start when the file is not this project's bundle", async () => {
    const path = join(dir, 'other.js');
    writeFileSync(path, 'module.exports = {};');
    await expect(readWorkflowBundle(path)).rejects.toThrow(/not a workflow bundle of this project/);
  });
});
