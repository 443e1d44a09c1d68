// Runs every test file under test/ (except test/e2e: `npm run test:e2e`) with Node's own test runner, TypeScript via tsx.
// Usage: node test/run.mjs [folder-or-file ...]   (default: test/unit, test/integration, test/webgpu, test/reliability, test/export, test/explain, test/extension, test/webview)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(target) {
  if (statSync(target).isFile()) return [target];
  return readdirSync(target, { withFileTypes: true })
    .flatMap((entry) => {
      const full = join(target, entry.name);
      if (entry.isDirectory()) return entry.name === 'fixtures' ? [] : collect(full);
      return entry.name.endsWith('.test.ts') ? [full] : [];
    })
    .sort();
}

const targets = process.argv.slice(2);
const files = (targets.length > 0 ? targets : ['test/unit', 'test/integration', 'test/webgpu', 'test/reliability', 'test/export', 'test/explain', 'test/extension', 'test/webview']).flatMap(collect);
if (files.length === 0) {
  console.error('test/run.mjs: no test files found');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
