/**
 * The folder-boundary rule of eslint.config.mjs (issue 14, item 7), run through ESLint's own API on small
 * sources placed, by file name, in each runtime folder: crossing imports are errors, imports of src/shared and
 * of the own folder are not.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = join(__dirname, '..', '..');
const eslint = new ESLint({ cwd: ROOT });

async function boundaryErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(ROOT, file) });
  return result.messages.filter((m) => m.ruleId === 'layout/runtime-folders').map((m) => m.message);
}

test('the trainer, the host and the webview import only from src/shared and their own folder', async () => {
  assert.deepEqual(await boundaryErrors('src/trainer/train/x.ts', "import { a } from '../../shared/recipes';\nimport { b } from '../util/errors';\nexport { a, b };\n"), []);
  assert.match((await boundaryErrors('src/trainer/train/x.ts', "import { a } from '../../extension/ids';\nexport { a };\n"))[0] ?? '', /is in extension: the trainer runs in its own process/);
  assert.match((await boundaryErrors('src/extension/train/x.ts', "export { a } from '../../trainer/cli/args';\n"))[0] ?? '', /is in trainer: the extension host/);
  // The host's own trainer/ folder (its client of the trainer) is the host's.
  assert.deepEqual(await boundaryErrors('src/extension/train/x.ts', "import { a } from '../trainer/trainerArgs';\nexport { a };\n"), []);
  assert.match((await boundaryErrors('webview-ui/views/x.ts', "import { a } from '../../src/extension/ids';\nexport { a };\n"))[0] ?? '', /the panel runs in the browser/);
  assert.match((await boundaryErrors('src/shared/x.ts', "import { a } from '../trainer/cli/args';\nexport { a };\n"))[0] ?? '', /src\/shared is imported by every runtime/);
});

test('only the extension host imports vscode', async () => {
  assert.deepEqual(await boundaryErrors('src/extension/x.ts', "import * as vscode from 'vscode';\nexport const v = vscode;\n"), []);
  for (const file of ['src/trainer/x.ts', 'webview-ui/x.ts', 'src/shared/x.ts']) {
    assert.match((await boundaryErrors(file, "import * as vscode from 'vscode';\nexport const v = vscode;\n"))[0] ?? '', /Only src\/extension may import vscode/, file);
  }
});
