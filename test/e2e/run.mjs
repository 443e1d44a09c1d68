// `npm run test:e2e`: the end-to-end test in a real VS Code (code-server) driven through headless Chromium.
// Makes the report folder (screenshots, logs; in the cache folder) and the run's state folder (workspace, VS Code
// profile, TMPDIR; a short path under the system's temporary folder, since Unix socket paths are limited to 107
// bytes), runs test/e2e/e2e.test.ts with Node's test runner, makes sure no process of the run is left, and
// closes with the line "N passed, N failed".
//
// Environment: SMALL_CONVNET_E2E_CACHE (default ~/.cache/small-convnet-e2e: code-server and the reports),
// SMALL_CONVNET_E2E_DATASET (default ../shared/datasets/dogs-vs-cats/train beside the repository),
// SMALL_CONVNET_E2E_KEEP=1 keeps the state folder (it is also kept when a test failed).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const KEEP_RUNS = 3;
const started = Date.now();

const cache = process.env.SMALL_CONVNET_E2E_CACHE
  ? resolve(process.env.SMALL_CONVNET_E2E_CACHE)
  : join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'small-convnet-e2e');
const reportsDir = join(cache, 'runs');
mkdirSync(reportsDir, { recursive: true });
// Older reports go; the last few stay for their screenshots.
for (const old of readdirSync(reportsDir).sort().reverse().slice(KEEP_RUNS - 1)) rmSync(join(reportsDir, old), { recursive: true, force: true });
const reportDir = join(reportsDir, new Date().toISOString().replace(/[:.]/g, '-'));
mkdirSync(join(reportDir, 'screenshots'), { recursive: true });
const runDir = mkdtempSync(join(tmpdir(), 'sce2e-'));
mkdirSync(join(runDir, 'tmp'));
const countsFile = join(reportDir, 'counts.json');
console.log(`e2e: screenshots and logs go to ${reportDir}`);
console.log(`e2e: state (workspace, VS Code profile) in ${runDir}`);

/** Processes of this run: every one of them inherited SMALL_CONVNET_E2E_RUN_DIR=<runDir> (code-server, its extension host and trainer, Chromium). */
function leftovers() {
  const marker = `SMALL_CONVNET_E2E_RUN_DIR=${runDir}`;
  const found = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${name}/environ`, 'utf8').split('\0');
      if (!environ.includes(marker)) continue;
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))) continue;
      found.push({ pid: Number(name), cmdline: readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim() });
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

const child = spawn(
  process.execPath,
  [
    '--import', 'tsx',
    '--test',
    '--test-concurrency=1',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    `--test-reporter=${pathToFileURL(join(ROOT, 'test', 'e2e', 'countReporter.mjs')).href}`, `--test-reporter-destination=${countsFile}`,
    join('test', 'e2e', 'e2e.test.ts'),
  ],
  {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, TMPDIR: join(runDir, 'tmp'), SMALL_CONVNET_E2E_RUN_DIR: runDir, SMALL_CONVNET_E2E_REPORT_DIR: reportDir, SMALL_CONVNET_E2E_CACHE: cache },
  },
);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
const exitCode = await new Promise((done) => child.on('close', (code, signal) => done(code ?? (signal ? 1 : 0))));

// Nothing of the run may outlive it: report and end whatever is left (all of it was started by this run).
const left = leftovers();
if (left.length > 0) {
  console.error(`e2e: ${left.length} process(es) of the run were still running:\n${left.map((p) => `  ${p.pid} ${p.cmdline.slice(0, 160)}`).join('\n')}`);
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

let counts = { passed: 0, failed: 0, skipped: 0 };
try {
  counts = JSON.parse(readFileSync(countsFile, 'utf8'));
} catch {
  console.error(`e2e: the test runner wrote no counts (${countsFile})`);
}
// A non-zero exit without a failed test (a crashed runner) and processes left behind count as failures too.
const failed = counts.failed + (exitCode !== 0 && counts.failed === 0 ? 1 : 0) + (left.length > 0 ? 1 : 0);
if (exitCode === 0 && failed === 0 && process.env.SMALL_CONVNET_E2E_KEEP !== '1') rmSync(runDir, { recursive: true, force: true });
else console.log(`e2e: kept the state folder ${runDir}`);
const seconds = Math.round((Date.now() - started) / 1000);
console.log(`e2e: screenshots in ${join(reportDir, 'screenshots')}`);
console.log(`e2e: took ${Math.floor(seconds / 60)} min ${seconds % 60} s`);
console.log(`${counts.passed} passed, ${failed} failed${counts.skipped > 0 ? `, ${counts.skipped} skipped` : ''}`);
process.exit(exitCode !== 0 || failed > 0 ? 1 : 0);
