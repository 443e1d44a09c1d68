/**
 * Where the end-to-end test finds and keeps things. Everything it writes lives outside the repository:
 * code-server in a reusable cache folder, each run's screenshots and logs in a report folder there, and the
 * run's state (workspace, VS Code profile, extensions) in a short-lived folder under /tmp; test/e2e/run.mjs
 * makes both and passes them in SMALL_CONVNET_E2E_REPORT_DIR and SMALL_CONVNET_E2E_RUN_DIR.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');

/** code-server's npm release: the newest one whose engines.node is 20 (VS Code 1.100.3). */
export const CODE_SERVER_VERSION = '4.100.3';

/** The reusable cache: SMALL_CONVNET_E2E_CACHE, else $XDG_CACHE_HOME/small-convnet-e2e, else ~/.cache/small-convnet-e2e. */
export function cacheDir(): string {
  const override = process.env.SMALL_CONVNET_E2E_CACHE;
  if (override) return resolve(override);
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'small-convnet-e2e');
}

const DATASET = join('shared', 'datasets', 'dogs-vs-cats', 'train');

/**
 * The Kaggle Dogs vs. Cats photos: SMALL_CONVNET_E2E_DATASET, else the project's shared/datasets/dogs-vs-cats/train
 * beside the repository (../shared/...; for a worktree one level deeper, ../../shared/...). Throws with what to
 * do when it is missing.
 */
export function datasetDir(): string {
  const override = process.env.SMALL_CONVNET_E2E_DATASET;
  if (override) {
    if (!existsSync(resolve(override))) throw new Error(`SMALL_CONVNET_E2E_DATASET=${override}: no such folder.`);
    return resolve(override);
  }
  const candidates = [resolve(REPO_ROOT, '..', DATASET), resolve(REPO_ROOT, '..', '..', DATASET)];
  const found = candidates.find((dir) => existsSync(dir));
  if (found === undefined) {
    throw new Error(
      `The end-to-end test needs the Kaggle Dogs vs. Cats photos (cat.N.jpg, dog.N.jpg) in ${candidates[0]}: ` +
        `put the project's shared/ folder beside the repository, or point SMALL_CONVNET_E2E_DATASET at a folder of those photos.`,
    );
  }
  return found;
}

/**
 * The state folder of this run (workspace, VS Code profile, extensions, TMPDIR), made by run.mjs under /tmp with
 * a short path: Chromium and VS Code put Unix sockets below it, whose paths may not exceed 107 bytes. Every
 * process of the run has SMALL_CONVNET_E2E_RUN_DIR in its environment.
 */
export function runDir(): string {
  const dir = process.env.SMALL_CONVNET_E2E_RUN_DIR;
  if (!dir) throw new Error('Run the end-to-end test with `npm run test:e2e` (test/e2e/run.mjs makes its run folder).');
  return dir;
}

/** Where this run's screenshots and logs go (in the cache folder; run.mjs prints it). */
export function reportDir(): string {
  const dir = process.env.SMALL_CONVNET_E2E_REPORT_DIR;
  if (!dir) throw new Error('Run the end-to-end test with `npm run test:e2e` (test/e2e/run.mjs makes its report folder).');
  return dir;
}
