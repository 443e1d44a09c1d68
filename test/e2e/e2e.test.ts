/**
 * End to end in a real VS Code: code-server 4.100.3 (VS Code 1.100.3, a real Node extension host) in headless
 * Chromium, the extension installed from its .vsix, real photos. It does what a person does, through the DOM
 * of the workbench and of the panel's webview only:
 *   1. F1 -> "Train Small Convnet" -> the workspace folder, a custom split 20/10/10, a custom recipe (2 epochs at 96 px);
 *   2. the training panel: one chart point per epoch, "Epoch 2 of 2", the backend, the model's total params;
 *   3. the Subsets tree (20/10/10 per class) and the Checkpoints tree (the run's best checkpoint);
 *   4. right-click the checkpoint -> "Evaluate on Test Set": test accuracy and the confusion matrix; then "Reveal in
 *      File Manager": with no file manager in code-server, the Explorer shows the checkpoint folder;
 *   5. a second run stopped mid-epoch: its trainer process is gone, the panel says stopped, the first checkpoint stays;
 *   6. Developer: Reload Window: the panel comes back with the runs' charts and still works;
 *   7. a third run reloaded mid-training: the same trainer process goes on, and the panel (its charts per epoch, its
 *      batch progress through progress.json), the status bar and the Checkpoints tree follow it in the background;
 *   8. right-click the run -> "Stop Training" ends that trainer; right-click -> "Resume Training" finishes it in the same tab;
 *   9. the Backend setting "webgpu" (SwiftShader); 10. Delete Run… on the run the panel shows;
 *  11. a second training while one trains: asked first, "Stop It and Continue"; 12. close a tab, Compare with… brings it back;
 *  13. a class-per-folder workspace with three classes, trained as it is.
 * Run with `npm run test:e2e` (test/e2e/run.mjs); screenshots of every step go to the run folder it prints.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { installExtension, startCodeServer, updateMachineSettings, type CodeServer } from './codeServer';
import { ensureCodeServer, type CodeServerInstall } from './installCodeServer';
import { datasetDir, reportDir, REPO_ROOT, runDir } from './paths';
import { isAlive, processesWithEnv, type ProcessInfo } from './processes';
import { CHROMIUM, launchChromium, until, Workbench } from './workbench';
import { makeClassFolders, makeWorkspace } from './workspace';
import { lastLines } from './logTail';
import { SWIFTSHADER_ICD, requireSwiftShader } from '../helpers/swiftShader';

const EXTENSION_ID = 'small-convnet.small-convnet';
const PANEL_TITLE = 'Small Convnet Training';
const PER_CLASS = 40;
const SPLIT = { train: 20, validation: 10, test: 10 };
const SPLIT_TEXT = `${SPLIT.train}/${SPLIT.validation}/${SPLIT.test}`;
const EPOCHS = 2;
const IMAGE_SIZE = 96;
const CLASSES = ['cat', 'dog'];
const TEST_SET_SIZE = SPLIT.test * CLASSES.length;
/** The run of steps 7-8: long enough to outlive a window reload on a loaded machine (about 3 s per epoch here; 8 epochs once ended during the reload under CI load), stopped and resumed. */
const LONG_EPOCHS = 14;
const LONG_IMAGE_SIZE = 180;

const RUN_DIR = runDir();
const REPORT_DIR = reportDir();
const SCREENSHOTS = join(REPORT_DIR, 'screenshots');
const CODE_SERVER_LOG = join(REPORT_DIR, 'code-server.log');
const WORKSPACE = join(RUN_DIR, 'workspace', `dogs-vs-cats-${PER_CLASS}`);
const WORK_FOLDER = join(WORKSPACE, 'small-convnet-work');
const PREPARED_NAME = `dogs-vs-cats-${PER_CLASS}-${SPLIT.train}-${SPLIT.validation}-${SPLIT.test}`;
const PREPARED_DIR = join(WORK_FOLDER, 'data', PREPARED_NAME);

/** What the panel shows, read from the webview's DOM in one go. */
interface PanelSnapshot {
  runName: string | null;
  counter: string | null;
  batch: string | null;
  phase: string | null;
  phaseDetail: string | null;
  backend: string | null;
  totalParams: string | null;
  points: { accuracy: number; val_accuracy: number; loss: number; val_loss: number };
  testAccuracy: string | null;
  confusion: { true: number; predicted: number; count: number }[];
  runTabs: { runDir: string; key: string; selected: boolean }[];
  /** The runs drawn over the focused one on the accuracy chart (their keys). */
  compared: string[];
  evaluating: boolean;
}

// Evaluated in the webview's frame through the DevTools protocol (the panel's CSP forbids eval in the page itself).
const PANEL_SNAPSHOT = `(() => {
  const text = (id) => { const el = document.querySelector('[data-testid="' + id + '"]'); return el ? el.textContent.trim() : null; };
  const points = (chart, series) => document.querySelectorAll('svg[data-chart="' + chart + '"] g[data-role="focus"] circle[data-series="' + series + '"]').length;
  return {
    runName: text('run-name'),
    counter: text('epoch-counter'),
    batch: text('batch-count'),
    phase: text('phase'),
    phaseDetail: text('phase-detail'),
    backend: text('backend'),
    totalParams: text('total-params'),
    points: { accuracy: points('accuracy', 'accuracy'), val_accuracy: points('accuracy', 'val_accuracy'), loss: points('loss', 'loss'), val_loss: points('loss', 'val_loss') },
    testAccuracy: text('test-accuracy'),
    confusion: [...document.querySelectorAll('[data-testid="confusion"] td[data-true]')].map((td) => ({
      true: Number(td.getAttribute('data-true')), predicted: Number(td.getAttribute('data-predicted')), count: Number(td.textContent.replace(/[^0-9]/g, '')),
    })),
    runTabs: [...document.querySelectorAll('.run-tab')].map((tab) => ({ runDir: tab.getAttribute('title') || '', key: tab.getAttribute('data-run') || '', selected: tab.getAttribute('aria-selected') === 'true' })),
    compared: [...new Set([...document.querySelectorAll('svg[data-chart="accuracy"] g[data-role="compare"]')].map((g) => g.getAttribute('data-run') || ''))].sort(),
    evaluating: document.querySelector('vscode-progress-bar[aria-label="Evaluating"]') !== null,
  };
})()`;

let install: CodeServerInstall | undefined;
let server: CodeServer | undefined;
let browser: Browser | undefined;
let wb: Workbench | undefined;
/** The step that failed (later steps are skipped). */
let broken: string | null = null;
/** Facts later steps need. */
const seen = {
  firstRunId: '',
  firstRunDir: '',
  bestCheckpoint: '',
  secondRunDir: '',
  thirdRunId: '',
  thirdRunDir: '',
  thirdTrainerPid: 0,
  testAccuracy: '',
  confusion: [] as PanelSnapshot['confusion'],
  webgpuRunId: '',
  stoppedRunDir: '',
};

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function workbench(): Workbench {
  assert.ok(wb, 'the workbench is not open');
  return wb;
}

function codeServer(): CodeServer {
  assert.ok(server, 'code-server is not running');
  return server;
}


/** One named step; once a step fails the later ones are skipped (they would only fail for the same reason). */
function step(name: string, timeoutMs: number, body: () => Promise<void>): void {
  test(name, { timeout: timeoutMs }, async (t) => {
    if (broken !== null) {
      t.skip(`skipped: "${broken}" failed`);
      return;
    }
    // Set until the body finishes: a step that times out leaves it set too.
    broken = name;
    try {
      await body();
    } catch (error) {
      const shot = await wb?.screenshot(`FAILED-${name.slice(0, 2).replace(/\W/g, '') || 'step'}`).catch(() => undefined);
      const context = [
        shot ? `screenshot: ${shot}` : null,
        wb && wb.consoleErrors.length > 0 ? `workbench console errors (last 8):\n  ${wb.consoleErrors.slice(-8).join('\n  ')}` : null,
        server ? `code-server log (last 15 lines of ${server.log}):\n${lastLines(server.log, 15) ?? '(none)'}` : null,
      ].filter(Boolean);
      if (error instanceof Error && context.length > 0) error.message += `\n${context.join('\n')}`;
      throw error;
    }
    broken = null;
  });
}

/** The panel's DOM now (retried while the webview is being replaced). */
async function panel(): Promise<PanelSnapshot> {
  return until('the training panel to answer', 30_000, async () => {
    const frame = await workbench().webviewFrame(EXTENSION_ID);
    return (await frame.evaluate(PANEL_SNAPSHOT)) as PanelSnapshot;
  }, 250);
}

/**
 * Polls the panel until `accept` returns true for a snapshot; returns that snapshot. `onEach` sees every
 * snapshot and may assert (its failures end the wait at once), and so does a failed or crashed run.
 */
async function panelUntil(what: string, timeoutMs: number, accept: (s: PanelSnapshot) => boolean, onEach?: (s: PanelSnapshot) => void): Promise<PanelSnapshot> {
  const deadline = Date.now() + timeoutMs;
  let last: PanelSnapshot | undefined;
  try {
    for (;;) {
      const snapshot = await panel();
      last = snapshot;
      onEach?.(snapshot);
      if (snapshot.phase === 'Failed' || snapshot.phase === 'Crashed') throw new Error(`the run ${snapshot.phase}: ${snapshot.phaseDetail ?? ''}`);
      if (accept(snapshot)) return snapshot;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(100);
    }
  } catch (error) {
    if (error instanceof Error) error.message += `\nlast panel state: ${JSON.stringify(last)}`;
    throw error;
  }
}

function trainerProcesses(): ProcessInfo[] {
  return codeServer()
    .descendants()
    .filter((p) => TRAINER_COMMAND_LINE.test(p.cmdline));
}

const TRAINER_COMMAND_LINE = / \S*\/dist\/trainer\/main\.js (train|resume|evaluate|prepare)\b/;

/**
 * Trainer processes of this run wherever they are in the process tree: one left running by a window reload is
 * no longer below code-server (its extension host is gone), but it still has the run's environment.
 */
function runTrainers(): ProcessInfo[] {
  return processesWithEnv('SMALL_CONVNET_E2E_RUN_DIR', RUN_DIR).filter((p) => TRAINER_COMMAND_LINE.test(p.cmdline));
}

function extensionHost(): ProcessInfo | undefined {
  return codeServer()
    .descendants()
    .find((p) => p.cmdline.includes('--type=extensionHost'));
}

/** Images per class in each subset of the prepared folder on disk. */
function countsOnDisk(dir: string): Record<string, Record<string, number>> {
  const counts: Record<string, Record<string, number>> = {};
  for (const subset of ['train', 'validation', 'test']) {
    counts[subset] = {};
    for (const cls of readdirSync(join(dir, subset)).sort()) counts[subset][cls] = readdirSync(join(dir, subset, cls)).filter((f) => /\.jpe?g$/i.test(f)).length;
  }
  return counts;
}

/** The number of weights in a tfjs layers model.json (its weightsManifest shapes). */
function paramsOf(modelJson: string): number {
  const model = JSON.parse(readFileSync(modelJson, 'utf8')) as { weightsManifest: { weights: { shape: number[] }[] }[] };
  return model.weightsManifest.flatMap((group) => group.weights).reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1), 0);
}

function run(command: string, args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Chromium and code-server (with its extension host and any trainer) end; idempotent. */
async function closeAll(): Promise<void> {
  await wb?.context.close().catch(() => undefined);
  wb = undefined;
  await browser?.close().catch(() => undefined);
  browser = undefined;
  await server?.dispose();
  server = undefined;
}

/** Developer: Reload Window, until the workbench is back with a new extension host and the training panel. */
async function reloadWindow(w: Workbench): Promise<void> {
  const hostBefore = extensionHost();
  assert.ok(hostBefore, 'an extension host runs');
  const loadedAt = await w.page.evaluate('performance.timeOrigin');
  await w.runCommand('Developer: Reload Window');
  await until('the window to reload', 60_000, async () => ((await w.page.evaluate('performance.timeOrigin')) !== loadedAt ? true : undefined));
  await w.waitReady();
  // A new extension host, since the old one ended with the old window.
  await until('a new extension host', 60_000, async () => {
    const host = extensionHost();
    return host && host.pid !== hostBefore.pid ? true : undefined;
  });
  await until(`the "${PANEL_TITLE}" editor after the reload`, 60_000, async () => ((await w.editorTabs()).includes(PANEL_TITLE) ? true : undefined));
}

/** The accessible label of a run's row in the Checkpoints tree, once it matches `pattern`. */
async function runRowLabel(w: Workbench, runId: string, pattern: RegExp, timeoutMs = 30_000): Promise<string> {
  return until(`the run ${runId} in the Checkpoints tree to match ${pattern}`, timeoutMs, async () => {
    const label = (await w.treeRow('Checkpoints', runId, 1).getAttribute('aria-label', { timeout: 1_000 })) ?? '';
    return pattern.test(label) ? label : undefined;
  });
}

/** Goes through the guided flow's recipe step: Custom… -> From scratch -> the five numbers. */
async function customRecipe(w: Workbench, numbers: { epochs: number; imageSize: number; batchSize: number }): Promise<string[]> {
  await w.pick('Train Small Convnet: recipe', 'Custom…');
  await w.pick('Train Small Convnet: custom recipe, model', 'From scratch');
  const proposed: string[] = [];
  proposed.push(await w.answer('custom recipe (1/5)', 'Epochs', String(numbers.epochs)));
  proposed.push(await w.answer('custom recipe (2/5)', 'Image size', String(numbers.imageSize)));
  proposed.push(await w.answer('custom recipe (3/5)', 'Batch size', String(numbers.batchSize)));
  proposed.push(await w.answer('custom recipe (4/5)', 'Learning rate', '0.001'));
  proposed.push(await w.answer('custom recipe (5/5)', 'Random seed', '1337'));
  return proposed;
}

describe('Small Convnet end to end in a real VS Code (code-server + Chromium)', () => {
  after(closeAll);

  step('installs code-server into the cache folder (reused when present)', 10 * 60_000, async () => {
    assert.ok(existsSync(CHROMIUM), `the end-to-end test drives Debian's Chromium at ${CHROMIUM}: apt-get install chromium`);
    datasetDir(); // fails early, with what to do, when the photos are missing
    install = await ensureCodeServer((line) => console.log(`  ${line}`));
    assert.ok(existsSync(install.entry));
    console.log(`  code-server: ${install.installed ? 'installed' : 'reused'} ${install.dir}`);
  });

  step('packages the extension with vsce and installs the .vsix into a fresh extensions folder', 3 * 60_000, async () => {
    for (const file of ['dist/extension/extension.js', 'dist/trainer/main.js', 'dist/webview/panel.js']) {
      assert.ok(existsSync(join(REPO_ROOT, file)), `${file} is missing: build first (node esbuild.mjs; npm run test:e2e does)`);
    }
    const vsix = join(RUN_DIR, 'small-convnet.vsix');
    // `npm run package`: vsce with this platform's Dawn build only.
    const packed = await run(process.execPath, [join(REPO_ROOT, 'scripts', 'package.mjs'), '--target', 'linux-x64', '--out', vsix]);
    assert.equal(packed.code, 0, `npm run package failed:\n${packed.output}`);
    assert.ok(existsSync(vsix));
    assert.ok(install);
    await installExtension({ entry: install.entry, stateDir: RUN_DIR, logFile: CODE_SERVER_LOG, vsix });
    const installed = readdirSync(join(RUN_DIR, 'extensions')).filter((name) => name.startsWith(`${EXTENSION_ID}-`));
    assert.equal(installed.length, 1, `one installed copy of ${EXTENSION_ID} in ${join(RUN_DIR, 'extensions')}`);
    for (const file of ['package.json', 'dist/extension/extension.js', 'dist/trainer/main.js', 'dist/webview/panel.js', 'node_modules/sharp/package.json', 'node_modules/webgpu/dist/linux-x64/dawn.node']) {
      assert.ok(existsSync(join(RUN_DIR, 'extensions', installed[0], file)), `the installed extension has ${file}`);
    }
    assert.deepEqual(readdirSync(join(RUN_DIR, 'extensions', installed[0], 'node_modules', 'webgpu', 'dist')), ['linux-x64'], "only this platform's Dawn build is shipped");
  });

  step(`starts code-server on 127.0.0.1 and opens a workspace of ${PER_CLASS} photos per class in Chromium`, 3 * 60_000, async () => {
    const copied = makeWorkspace({ source: datasetDir(), dir: WORKSPACE, perClass: PER_CLASS });
    assert.deepEqual([...copied.values()].map((names) => names.length), [PER_CLASS, PER_CLASS]);
    assert.ok(install);
    // SwiftShader (Debian chromium's Vulkan driver on the CPU) is the only Vulkan driver the editor's processes see:
    // `auto` skips it (steps 1-8 train on wasm), the Backend setting "webgpu" forces it (step 9).
    requireSwiftShader();
    server = await startCodeServer({
      entry: install.entry,
      stateDir: RUN_DIR,
      logFile: CODE_SERVER_LOG,
      extraSettings: { 'workbench.colorTheme': 'Default Dark Modern' },
      extraEnv: { VK_ICD_FILENAMES: SWIFTSHADER_ICD },
    });
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as { status?: string };
    assert.ok(health.status, 'code-server answers /healthz');
    browser = await launchChromium();
    wb = await Workbench.open({ browser, url: server.url, folder: WORKSPACE, screenshotsDir: SCREENSHOTS });
    // The Explorer shows the workspace folder.
    await wb.page.locator('.part.sidebar .monaco-list-row[aria-label^="cat.1.jpg"]').waitFor({ timeout: 30_000 });
    // Wide enough for the trees' descriptions in the screenshots.
    await wb.resizeSidebar(440);
    await wb.screenshot('workspace');
  });

  step(`1. F1 -> Train Small Convnet: the workspace folder, split ${SPLIT_TEXT}, ${EPOCHS} epochs at ${IMAGE_SIZE} px`, 3 * 60_000, async () => {
    const w = workbench();
    await w.runCommand('Train Small Convnet');

    const sources = await w.quickPickItems('Train Small Convnet: images');
    assert.ok(sources.some((label) => label.includes('Built-in demo data')), `the demo is offered: ${sources.join(' | ')}`);
    assert.ok(sources.some((label) => label.includes(`dogs-vs-cats-${PER_CLASS}, ${WORKSPACE}`)), `the workspace folder is offered: ${sources.join(' | ')}`);
    await w.pick('Train Small Convnet: images', `dogs-vs-cats-${PER_CLASS}`);

    // What was found per class, and the offered splits (the seed's 1000/500/1000 does not fit in 40).
    const found = 'Found 2 classes (CLASS.N files): cat 40 · dog 40';
    const splits = await w.quickPickItems(found);
    assert.deepEqual(splits.map((label) => label.split(',')[0]), ['16/8/16', 'Custom split…']);
    await w.pick(found, 'Custom split…');
    await w.quickInput.locator('.quick-input-message', { hasText: 'Images per class' }).waitFor();
    assert.match(await w.validationMessage('20/10'), /three whole numbers/);
    await w.screenshot('split-input');
    await w.answer(found, 'Images per class', SPLIT_TEXT);

    const proposed = await customRecipe(w, { epochs: EPOCHS, imageSize: IMAGE_SIZE, batchSize: 32 });
    assert.deepEqual(proposed, ['30', '180', '32', '0.001', '1337'], "the InputBoxes propose the seed's settings");

    // The subsets are copied, the run starts and the training panel opens.
    await until(`the "${PANEL_TITLE}" editor`, 60_000, async () => ((await w.editorTabs()).includes(PANEL_TITLE) ? true : undefined));
  });

  step(`2. the training panel: one point per epoch in both charts, Epoch ${EPOCHS} of ${EPOCHS}, backend, model summary`, 6 * 60_000, async () => {
    const w = workbench();
    // Every state the panel goes through, while the run trains.
    const states: PanelSnapshot[] = [];
    const final = await panelUntil('the run to complete', 5 * 60_000, (s) => s.phase === 'Completed', (s) => {
      states.push(s);
      const epoch = /^Epoch (\d+) of (\d+)$/.exec(s.counter ?? '');
      if (epoch !== null) {
        assert.equal(Number(epoch[2]), EPOCHS, `the counter counts ${EPOCHS} epochs: ${s.counter}`);
        const current = Number(epoch[1]);
        const { accuracy, val_accuracy, loss, val_loss } = s.points;
        assert.ok(accuracy === val_accuracy && accuracy === loss && accuracy === val_loss, `both charts have as many training and validation points: ${JSON.stringify(s.points)}`);
        assert.ok(accuracy === current - 1 || accuracy === current, `during epoch ${current} the charts have ${current - 1} or ${current} points, not ${accuracy}`);
      }
    });
    const pointCounts = [...new Set(states.map((s) => s.points.accuracy))];
    assert.deepEqual(pointCounts.filter((n) => n > 0), [1, 2], `the charts gained one point per epoch (seen: ${pointCounts.join(', ')})`);
    assert.equal(final.counter, `Epoch ${EPOCHS} of ${EPOCHS}`);
    assert.deepEqual(final.points, { accuracy: EPOCHS, val_accuracy: EPOCHS, loss: EPOCHS, val_loss: EPOCHS });
    assert.match(final.backend ?? '', /^Backend (WebAssembly|TensorFlow|JavaScript)/, 'the backend is named');
    assert.ok(final.runName, 'the run is named');

    seen.firstRunId = final.runName;
    seen.firstRunDir = join(WORK_FOLDER, 'runs', final.runName);
    const best = JSON.parse(readFileSync(join(seen.firstRunDir, 'best.json'), 'utf8')) as { epoch: number; checkpoint: string };
    seen.bestCheckpoint = best.checkpoint.split('/').pop() ?? '';
    const params = paramsOf(join(seen.firstRunDir, best.checkpoint, 'model.json'));
    assert.equal(final.totalParams, `Total params: ${params.toLocaleString('en-US')}`, 'the model summary total = the weights of the saved checkpoint');
    const history = JSON.parse(readFileSync(join(seen.firstRunDir, 'history.json'), 'utf8')) as { epochs: unknown[] };
    assert.equal(history.epochs.length, EPOCHS);
    await w.screenshot('trained', { editor: true });
  });

  step(`3. the sidebar: Subsets ${SPLIT_TEXT} per class, Checkpoints the run's best checkpoint`, 2 * 60_000, async () => {
    const w = workbench();
    await w.clearNotifications();
    await w.showViewContainer('Small Convnet');
    const folderRow = w.treeRow('Subsets', PREPARED_NAME, 1);
    await folderRow.waitFor({ timeout: 30_000 });
    assert.match((await folderRow.getAttribute('aria-label')) ?? '', new RegExp(`${SPLIT_TEXT} per class · cat, dog`));
    await w.expand(folderRow);
    for (const subset of ['train', 'validation', 'test']) await w.expand(w.treeRow('Subsets', `${subset} `, 2));

    // The tree: subset (images) -> class (images), read back into counts (children appear just after the expand).
    const expected = Object.fromEntries(Object.entries(SPLIT).map(([name, n]) => [name, Object.fromEntries(CLASSES.map((cls) => [cls, n]))]));
    const shownCounts = async (): Promise<Record<string, Record<string, number>>> => {
      const shown: Record<string, Record<string, number>> = {};
      let subset = '';
      for (const row of await w.treeRows('Subsets')) {
        const match = /^(\S+) (\d+) images?$/.exec(row.label);
        if (row.level === 2 && match) subset = match[1];
        if (row.level === 3 && match) (shown[subset] ??= {})[match[1]] = Number(match[2]);
      }
      return shown;
    };
    await until('the three subsets with their classes', 10_000, async () => (JSON.stringify(await shownCounts()) === JSON.stringify(expected) ? true : undefined)).catch(() => undefined);
    assert.deepEqual(await shownCounts(), expected, 'the Subsets tree shows 20/10/10 per class');
    assert.deepEqual(countsOnDisk(PREPARED_DIR), expected, 'and so does the prepared folder on disk');

    const runRow = w.treeRow('Checkpoints', seen.firstRunId, 1);
    await runRow.waitFor({ timeout: 30_000 });
    assert.match((await runRow.getAttribute('aria-label')) ?? '', /val_acc [\d.]+ · val_loss [\d.]+ · epoch \d+/);
    // At the default sidebar width the description is cut after the run's name: its first part, val_acc, must show.
    const valAccShown = await runRow.evaluate((row) => {
      const text = row.querySelector('.label-description')?.firstChild;
      const clip = row.querySelector('.monaco-icon-label-container') ?? row;
      if (!text?.textContent) return `no description text in ${row.outerHTML.slice(0, 300)}`;
      const range = row.ownerDocument.createRange();
      range.setStart(text, 0);
      range.setEnd(text, text.textContent.indexOf(' · '));
      const [end, edge] = [range.getBoundingClientRect().right, clip.getBoundingClientRect().right];
      return end <= edge + 0.5 ? true : `"${text.textContent}" shows up to x=${edge}, its val_acc ends at x=${end}`;
    });
    assert.equal(valAccShown, true, 'val_acc is readable in the Checkpoints view at the default sidebar width');
    await w.expand(runRow);
    const checkpointRow = w.treeRow('Checkpoints', `${seen.bestCheckpoint} (best)`, 2);
    await checkpointRow.waitFor({ timeout: 30_000 });
    assert.ok(existsSync(join(seen.firstRunDir, 'checkpoints', seen.bestCheckpoint, 'model.json')), 'the checkpoint is on disk');
    await w.screenshot('sidebar', { sidebar: true });
  });

  step('4. right-click the checkpoint -> Evaluate on Test Set: test accuracy and a confusion matrix of the test set', 3 * 60_000, async () => {
    const w = workbench();
    const checkpointRow = w.treeRow('Checkpoints', `${seen.bestCheckpoint} (best)`, 2);
    const menu = await w.openContextMenu(checkpointRow);
    assert.ok(menu.includes('Evaluate on Test Set'), `the context menu: ${menu.join(' | ')}`);
    await w.clickContextMenuItem('Evaluate on Test Set');

    const evaluated = await panelUntil('the evaluation in the panel', 2 * 60_000, (s) => s.testAccuracy !== null && s.confusion.length === CLASSES.length ** 2);
    const total = evaluated.confusion.reduce((sum, cell) => sum + cell.count, 0);
    assert.equal(total, TEST_SET_SIZE, `the confusion matrix counts the ${TEST_SET_SIZE} test images`);
    const correct = evaluated.confusion.filter((cell) => cell.true === cell.predicted).reduce((sum, cell) => sum + cell.count, 0);
    assert.equal(evaluated.testAccuracy, `${((100 * correct) / total).toFixed(1)}%`, 'the test accuracy is the diagonal of the matrix');
    assert.equal(evaluated.runName, seen.firstRunId);
    const onDisk = JSON.parse(readFileSync(join(seen.firstRunDir, 'evaluation.json'), 'utf8')) as { accuracy: number; count: number; confusion: number[][] };
    assert.equal(onDisk.count, TEST_SET_SIZE);
    assert.deepEqual(
      evaluated.confusion.map((cell) => cell.count),
      onDisk.confusion.flat(),
      "the panel's matrix is the trainer's",
    );
    seen.testAccuracy = evaluated.testAccuracy ?? '';
    seen.confusion = evaluated.confusion;
    // The checkpoint's tree row says its test accuracy too.
    await until('the test accuracy in the Checkpoints tree', 30_000, async () =>
      /test acc [\d.]+/.test((await checkpointRow.getAttribute('aria-label')) ?? '') ? true : undefined,
    );
    await w.clearNotifications();
    await sleep(300);
    await w.screenshot('evaluated', { sidebar: true, editor: true });

    // "Show where the model looked" (issue 17): one explain call, an overlay per wrong image, from the run folder.
    const wrongCount = await w.webview(EXTENSION_ID).getByTestId('wrong').count();
    assert.ok(wrongCount > 0, 'the few-epoch model gets some test images wrong');
    await w.webview(EXTENSION_ID).getByTestId('heatmap-toggle').click();
    await until('the heatmap of every wrong image in the panel', 90_000, async () => {
      const frame = await w.webviewFrame(EXTENSION_ID);
      const shown = (await frame.evaluate(
        `[...document.querySelectorAll('[data-testid="wrong"] img')].filter((img) => img.dataset.heatmap === 'on' && img.complete && img.naturalWidth > 0).length`,
      )) as number;
      return shown === wrongCount ? true : undefined;
    });
    const overlays = readdirSync(join(seen.firstRunDir, 'explanations')).filter((name) => name.endsWith('-gradcam.png'));
    assert.equal(overlays.length, wrongCount, `one overlay per wrong image in the run folder: ${overlays.join(', ')}`);
    await w.screenshot('heatmaps', { editor: true });

    // Reveal in File Manager: code-server has no file manager and the run folder is in the workspace, so the
    // Explorer shows the checkpoint folder, selected.
    const best = JSON.parse(readFileSync(join(seen.firstRunDir, 'best.json'), 'utf8')) as { checkpoint: string };
    const revealMenu = await w.openContextMenu(checkpointRow);
    assert.ok(revealMenu.includes('Reveal in File Manager'), `the context menu: ${revealMenu.join(' | ')}`);
    await w.clickContextMenuItem('Reveal in File Manager');
    const selectedRow = w.page.locator('.part.sidebar .explorer-folders-view .monaco-list-row.selected').first();
    const revealed = await until('the checkpoint folder selected in the Explorer', 30_000, async () => {
      const label = await selectedRow.getAttribute('aria-label', { timeout: 1_000 }).catch(() => null);
      return label !== null && label.startsWith(basename(best.checkpoint)) ? label : undefined;
    });
    console.log(`  revealed in the Explorer: ${revealed}`);
    await w.screenshot('revealed', { sidebar: true });
    await w.showViewContainer('Small Convnet');
  });

  step('4b. right-click the run -> Export Model…: ONNX, the save dialog proposes <run>/exports/, the file is written, "Show How to Use It" opens the snippets', 2 * 60_000, async () => {
    const w = workbench();
    const runRow = w.treeRow('Checkpoints', seen.firstRunId, 1);
    const menu = await w.openContextMenu(runRow);
    assert.ok(menu.includes('Export Model…'), `the context menu: ${menu.join(' | ')}`);
    await w.clickContextMenuItem('Export Model…');
    await w.pick('Export the model as', 'ONNX (.onnx)');
    // The save dialog (VS Code's own simple dialog in a browser): its path box holds the proposed file.
    const expected = join(seen.firstRunDir, 'exports', `${seen.firstRunId}-${seen.bestCheckpoint}.onnx`);
    const pathBox = w.quickInput.locator('.quick-input-box input');
    const proposed = await until('the save dialog with the proposed file', 30_000, async () => {
      const value = await pathBox.inputValue({ timeout: 1_000 }).catch(() => '');
      return value.endsWith('.onnx') ? value : undefined;
    });
    assert.ok(proposed.endsWith(`/exports/${seen.firstRunId}-${seen.bestCheckpoint}.onnx`), `proposed: ${proposed}`);
    await pathBox.press('Enter');
    await until('the exported file on disk', 60_000, async () => (existsSync(expected) ? true : undefined));
    const message = /Exported .* to .*\.onnx/;
    assert.deepEqual(await w.notificationButtons(message, 60_000), ['Show How to Use It', 'Reveal in Explorer']);
    await w.clickNotificationButton(message, 'Show How to Use It');
    await until('the snippets in editors', 30_000, async () => ((await w.editorTabs()).filter((tab) => tab.includes('Untitled')).length >= 2 ? true : undefined));
    await w.screenshot('exported', { editor: true });
    // Both snippets opened beside, the last one active: close them without the save question.
    for (let i = 0; i < 2; i++) await w.runCommand('View: Revert and Close Editor');
    await until('the snippets closed', 10_000, async () => ((await w.editorTabs()).some((tab) => tab.includes('Untitled')) ? undefined : true));
    await w.showViewContainer('Small Convnet');
  });

  step('5. a second run, Stop mid-epoch: the trainer process ends, the panel says stopped, the first checkpoint stays', 4 * 60_000, async () => {
    const w = workbench();
    await w.runCommand('Train Small Convnet');
    await w.pick('Train Small Convnet: images', PREPARED_NAME);
    await w.pick(`prepared subsets in ${PREPARED_NAME}`, 'Use these subsets as they are');
    // Batches of 4: ten per epoch, so there is an epoch to interrupt.
    await customRecipe(w, { epochs: 20, imageSize: IMAGE_SIZE, batchSize: 4 });

    const midEpoch = await panelUntil('the second run in the middle of epoch 1', 3 * 60_000, (s) => {
      const batch = /^Batch (\d+) of (\d+)$/.exec(s.batch ?? '');
      return s.runName !== null && s.runName !== seen.firstRunId && s.phase === 'Running' && s.counter === 'Epoch 1 of 20' && batch !== null && Number(batch[1]) >= 1 && Number(batch[1]) <= Number(batch[2]) - 3;
    });
    const trainers = trainerProcesses();
    assert.equal(trainers.length, 1, `one trainer process under code-server: ${trainers.map((p) => p.cmdline).join(' | ')}`);
    const trainer = trainers[0];
    assert.ok(trainer.cmdline.includes(join(RUN_DIR, 'extensions')), `the trainer is the installed extension's: ${trainer.cmdline}`);
    assert.ok(trainer.cmdline.includes(` train ${PREPARED_DIR}`), `it trains the prepared subsets: ${trainer.cmdline}`);
    await w.screenshot('second-run-training', { editor: true });

    await w.webview(EXTENSION_ID).getByTestId('stop').click();
    const stopped = await panelUntil('the panel to say the run stopped', 60_000, (s) => s.phase === 'Stopped');
    assert.ok(await until(`trainer process ${trainer.pid} to end`, 30_000, async () => (isAlive(trainer.pid) ? undefined : true)));
    assert.deepEqual(trainerProcesses(), [], 'no trainer process is left under code-server');
    assert.equal(stopped.runName, midEpoch.runName);
    assert.equal(stopped.phaseDetail, 'Stopped.');
    assert.deepEqual(stopped.points, { accuracy: 0, val_accuracy: 0, loss: 0, val_loss: 0 }, 'stopped in epoch 1: no epoch finished');
    seen.secondRunDir = join(WORK_FOLDER, 'runs', midEpoch.runName ?? '');
    const secondRun = JSON.parse(readFileSync(join(WORK_FOLDER, 'runs', midEpoch.runName ?? '', 'run.json'), 'utf8')) as { status: string };
    assert.equal(secondRun.status, 'cancelled');

    // The Checkpoints tree: the stopped run, and the first run's checkpoint still there.
    await until('the stopped run in the Checkpoints tree', 30_000, async () =>
      /stopped/.test((await w.treeRow('Checkpoints', midEpoch.runName ?? '', 1).getAttribute('aria-label', { timeout: 1_000 })) ?? '') ? true : undefined,
    );
    const firstRun = w.treeRow('Checkpoints', seen.firstRunId, 1);
    await w.expand(firstRun);
    await w.treeRow('Checkpoints', `${seen.bestCheckpoint} (best)`, 2).waitFor({ timeout: 10_000 });
    assert.ok(existsSync(join(seen.firstRunDir, 'checkpoints', seen.bestCheckpoint, 'model.json')), "the first run's checkpoint is still on disk");
    await w.clearNotifications();
    await w.screenshot('stopped', { sidebar: true, editor: true });
  });

  step("6. Developer: Reload Window: the panel comes back with the runs' charts and still works", 4 * 60_000, async () => {
    const w = workbench();
    await reloadWindow(w);

    // Both runs are back as tabs; the first one shows its charts and its evaluation.
    // Waits for the whole restored state (tabs, the tab in front, its phase), not for the first part of it drawn.
    const back = await panelUntil(
      'both runs back in the panel, the stopped one in front',
      60_000,
      (s) => s.runTabs.length === 2 && s.runTabs.find((tab) => tab.selected)?.runDir === seen.secondRunDir && s.phase === 'Stopped',
    );
    // In front, as before the reload: the stopped run, read from disk again.
    assert.deepEqual(back.runTabs.find((tab) => tab.selected)?.runDir, seen.secondRunDir);
    assert.equal(back.phase, 'Stopped');
    assert.match(back.phaseDetail ?? '', /^Stopped[.:]/);
    await w.webview(EXTENSION_ID).locator(`.run-tab[title="${seen.firstRunDir}"]`).click();
    // Wait for all the panel shows of it (charts, phase, evaluation), not for the first of them drawn.
    const restored = await panelUntil(
      'the first run in front with its charts and its evaluation',
      30_000,
      (s) => s.runName === seen.firstRunId && s.points.accuracy === EPOCHS && s.points.val_loss === EPOCHS && s.phase === 'Completed' && s.testAccuracy === seen.testAccuracy && JSON.stringify(s.confusion) === JSON.stringify(seen.confusion),
    );
    assert.equal(restored.counter, `Epoch ${EPOCHS} of ${EPOCHS}`);
    assert.deepEqual(restored.points, { accuracy: EPOCHS, val_accuracy: EPOCHS, loss: EPOCHS, val_loss: EPOCHS });
    assert.equal(restored.phase, 'Completed');
    assert.equal(restored.testAccuracy, seen.testAccuracy);
    assert.deepEqual(restored.confusion, seen.confusion);
    await w.screenshot('reloaded', { editor: true });

    // The restored panel talks to the new extension host: "Evaluate again" runs the trainer once more.
    const evaluationFile = join(seen.firstRunDir, 'evaluation.json');
    const before = statSync(evaluationFile).mtimeMs;
    await w.webview(EXTENSION_ID).getByTestId('evaluate').click();
    await until('a new evaluation.json from the restored panel', 2 * 60_000, async () => (statSync(evaluationFile).mtimeMs > before ? true : undefined), 250);
    await panelUntil('the evaluation shown again', 60_000, (s) => s.testAccuracy === seen.testAccuracy && !s.evaluating);
  });

  step(`7. a third run (${LONG_EPOCHS} epochs at ${LONG_IMAGE_SIZE} px), Reload Window after epoch 1: the same trainer goes on; panel, status bar and tree follow it in the background`, 4 * 60_000, async () => {
    const w = workbench();
    await w.runCommand('Train Small Convnet');
    await w.pick('Train Small Convnet: images', PREPARED_NAME);
    await w.pick(`prepared subsets in ${PREPARED_NAME}`, 'Use these subsets as they are');
    await customRecipe(w, { epochs: LONG_EPOCHS, imageSize: LONG_IMAGE_SIZE, batchSize: 32 });

    const earlier = new Set([seen.firstRunId, basename(seen.secondRunDir)]);
    const afterEpoch1 = await panelUntil('the third run to finish epoch 1', 3 * 60_000, (s) => s.runName !== null && !earlier.has(s.runName) && s.phase === 'Running' && s.points.accuracy >= 1);
    assert.ok(afterEpoch1.runName);
    seen.thirdRunId = afterEpoch1.runName;
    seen.thirdRunDir = join(WORK_FOLDER, 'runs', afterEpoch1.runName);
    const trainers = trainerProcesses();
    assert.equal(trainers.length, 1, `one trainer process under code-server: ${trainers.map((p) => p.cmdline).join(' | ')}`);
    const trainer = trainers[0];
    assert.ok(trainer.cmdline.includes(` train ${PREPARED_DIR}`), `it trains the prepared subsets: ${trainer.cmdline}`);
    assert.equal(trainer.pgid, trainer.pid, 'the trainer leads its own process group, so it can outlive the window');
    seen.thirdTrainerPid = trainer.pid;
    assert.ok(afterEpoch1.points.accuracy < LONG_EPOCHS - 2, `still epochs to go before the reload: ${afterEpoch1.counter}`);

    await reloadWindow(w);
    // The same process, still training, no longer anybody's child in the workbench.
    assert.ok(isAlive(trainer.pid), `trainer process ${trainer.pid} survived the reload`);
    assert.deepEqual(runTrainers().map((p) => p.pid), [trainer.pid], 'the only trainer of the run is the one started before the reload');
    const lock = readFileSync(join(seen.thirdRunDir, 'trainer.lock'), 'utf8');
    assert.match(lock, new RegExp(`\\b${trainer.pid}\\b`), `trainer.lock names pid ${trainer.pid}: ${lock}`);

    // The restored panel shows the run in front, training in the background, and follows its run folder.
    const detail = `Training in the background (pid ${trainer.pid}): its progress is read from its run folder every few seconds; the charts add each epoch when it ends.`;
    const restored = await panelUntil('the third run in the restored panel, training in the background', 60_000, (s) => s.runName === seen.thirdRunId && s.phase === 'Running' && s.phaseDetail === detail);
    assert.deepEqual(restored.runTabs.find((tab) => tab.selected)?.runDir, seen.thirdRunDir);
    const restoredPoints = restored.points.accuracy;
    const followed = await panelUntil('a new chart point after the reload', 90_000, (s) => s.points.accuracy > restoredPoints, (s) => {
      assert.equal(s.runName, seen.thirdRunId, 'the third run stays in front');
      const { accuracy, val_accuracy, loss, val_loss } = s.points;
      assert.ok(accuracy === val_accuracy && accuracy === loss && accuracy === val_loss, `both charts have as many training and validation points: ${JSON.stringify(s.points)}`);
    });
    assert.equal(followed.phase, 'Running');
    assert.equal(followed.phaseDetail, detail);
    // Between epochs the batch progress shows too. No stdout reaches this window, and the restored panel drops the
    // batch a stream had shown before the reload: any "Batch b of B" or "Validating…" now comes from progress.json.
    const withBatch = await panelUntil(
      'the batch progress of the background run',
      60_000,
      (s) => s.runName === seen.thirdRunId && s.phase === 'Running' && s.batch !== null,
    );
    assert.match(withBatch.batch ?? '', /^(Batch \d+ of \d+|Validating…)$/);
    console.log(`  panel after the reload: ${withBatch.counter} · ${withBatch.batch}`);
    assert.ok(isAlive(trainer.pid), 'still training');
    const history = JSON.parse(readFileSync(join(seen.thirdRunDir, 'history.json'), 'utf8')) as { epochs: unknown[] };
    assert.ok(history.epochs.length >= followed.points.accuracy, `the panel shows epochs of history.json (${history.epochs.length}): ${followed.points.accuracy}`);

    // The status bar follows the run too.
    const statusItem = w.page.locator('.part.statusbar .statusbar-item', { hasText: '(background)' }).first();
    const statusText = await until('"(background)" in the status bar', 30_000, async () => {
      const text = (await statusItem.innerText({ timeout: 1_000 })).trim();
      return new RegExp(`^Epoch \\d+/${LONG_EPOCHS} \\(background\\)$`).test(text) ? text : undefined;
    });
    console.log(`  status bar: ${statusText}`);

    // The Checkpoints tree: the run trains (description and spinning icon).
    await w.showViewContainer('Small Convnet');
    await runRowLabel(w, seen.thirdRunId, /· training\b/);
    const icon = await w.treeRow('Checkpoints', seen.thirdRunId, 1).evaluate((row) => [...row.querySelectorAll('.codicon')].map((el) => el.className).join(' '));
    assert.match(icon, /codicon-sync\b/, `a sync icon: ${icon}`);
    assert.match(icon, /spin/, `spinning: ${icon}`);
    await w.clearNotifications();
    await w.screenshot('background-after-reload', { sidebar: true, editor: true });
  });

  step(`8. right-click the run -> Stop Training ends the background trainer; right-click -> Resume Training: a new trainer finishes it, ${LONG_EPOCHS}/${LONG_EPOCHS}, in the same tab`, 4 * 60_000, async () => {
    const w = workbench();
    const pid = seen.thirdTrainerPid;
    assert.ok(isAlive(pid), `trainer process ${pid} still trains`);
    // The run's own Stop in the Checkpoints tree (the command of its inline button too): enabled although this
    // window trains nothing itself (smallConvnet.trainingInBackground); the panel's Stop button is there as well.
    assert.ok(await w.webview(EXTENSION_ID).getByTestId('stop').isEnabled(), "the panel's Stop is enabled too");
    const stopMenu = await w.openContextMenu(w.treeRow('Checkpoints', seen.thirdRunId, 1));
    assert.ok(stopMenu.includes('Stop Training'), `the context menu offers an enabled Stop Training: ${stopMenu.join(' | ')}`);
    await w.clickContextMenuItem('Stop Training');
    // SIGINT to the trainer named by trainer.lock: it finishes its batch; meanwhile the panel says "Stopping…".
    // How long that lasts is the trainer's (a batch, or less when the signal lands between batches), so a poll
    // may see "Stopped" first; when it sees "Stopping…", the detail must be the stop's. (The transition itself is
    // asserted without a race in test/extension/panelSession.test.ts and test/webview/panel.test.ts.)
    const stopping = await panelUntil('the panel to say the run is stopping', 30_000, (s) => s.runName === seen.thirdRunId && (s.phase === 'Stopping…' || s.phase === 'Stopped'));
    if (stopping.phase === 'Stopping…') assert.equal(stopping.phaseDetail, 'Stopping after the current batch…');
    else console.log('  the trainer stopped before the panel was read while "Stopping…"');
    assert.ok(await until(`trainer process ${pid} to end`, 60_000, async () => (isAlive(pid) ? undefined : true)));
    assert.deepEqual(runTrainers(), [], 'no trainer process of the run is left');
    const record = JSON.parse(readFileSync(join(seen.thirdRunDir, 'run.json'), 'utf8')) as { status: string; message?: string };
    assert.equal(record.status, 'cancelled', `run.json: ${JSON.stringify(record)}`);
    const saved = (JSON.parse(readFileSync(join(seen.thirdRunDir, 'history.json'), 'utf8')) as { epochs: unknown[] }).epochs.length;
    assert.ok(saved >= 2 && saved < LONG_EPOCHS, `stopped between epochs 2 and ${LONG_EPOCHS}: ${saved} epochs in history.json`);

    const stopped = await panelUntil('the panel to say the run stopped', 30_000, (s) => s.runName === seen.thirdRunId && s.phase === 'Stopped');
    assert.match(stopped.phaseDetail ?? '', /^Stopped[.:]/);
    assert.equal(stopped.points.accuracy, saved, 'the charts show every finished epoch');
    const stoppedLabel = await runRowLabel(w, seen.thirdRunId, /· stopped\b/);
    assert.doesNotMatch(stoppedLabel, /training/);
    await until('the status bar to drop "(background)"', 30_000, async () => ((await w.page.locator('.part.statusbar .statusbar-item', { hasText: '(background)' }).count()) === 0 ? true : undefined));
    await w.clearNotifications();
    await w.screenshot('background-stopped', { sidebar: true, editor: true });

    const menu = await w.openContextMenu(w.treeRow('Checkpoints', seen.thirdRunId, 1));
    assert.ok(menu.includes('Resume Training'), `the context menu: ${menu.join(' | ')}`);
    await w.clickContextMenuItem('Resume Training');
    const resumer = await until('a trainer process resuming the run', 60_000, async () => {
      const found = trainerProcesses();
      return found.length === 1 ? found[0] : undefined;
    });
    assert.ok(resumer.cmdline.includes(` resume ${seen.thirdRunDir}`), `it resumes the run: ${resumer.cmdline}`);

    // The charts continue from the saved epochs, in the run's one tab.
    const states: PanelSnapshot[] = [];
    const completed = await panelUntil('the resumed run to complete', 3 * 60_000, (s) => s.runName === seen.thirdRunId && s.phase === 'Completed', (s) => {
      states.push(s);
      if (s.runName === seen.thirdRunId) assert.ok(s.points.accuracy >= saved, `the resumed run shows its ${saved} saved epochs: ${JSON.stringify(s.points)} (${s.phase})`);
    });
    assert.ok(states.some((s) => s.runName === seen.thirdRunId && s.phase === 'Running'), 'the panel showed the resumed run running');
    assert.equal(completed.counter, `Epoch ${LONG_EPOCHS} of ${LONG_EPOCHS}`);
    assert.deepEqual(completed.points, { accuracy: LONG_EPOCHS, val_accuracy: LONG_EPOCHS, loss: LONG_EPOCHS, val_loss: LONG_EPOCHS });
    assert.deepEqual(completed.runTabs.filter((tab) => tab.runDir === seen.thirdRunDir).length, 1, `one tab for the run: ${JSON.stringify(completed.runTabs)}`);
    assert.equal(completed.runTabs.length, 3, `one tab per run: ${JSON.stringify(completed.runTabs)}`);
    assert.ok(await until(`trainer process ${resumer.pid} to end`, 30_000, async () => (isAlive(resumer.pid) ? undefined : true)));
    assert.deepEqual(runTrainers(), [], 'no trainer process of the run is left');
    const finished = JSON.parse(readFileSync(join(seen.thirdRunDir, 'run.json'), 'utf8')) as { status: string };
    assert.equal(finished.status, 'completed');
    const history = JSON.parse(readFileSync(join(seen.thirdRunDir, 'history.json'), 'utf8')) as { epochs: { epoch: number }[] };
    assert.deepEqual(history.epochs.map((e) => e.epoch), Array.from({ length: LONG_EPOCHS }, (_, i) => i + 1));
    const doneLabel = await runRowLabel(w, seen.thirdRunId, /val_acc [\d.]+ · val_loss [\d.]+ · epoch \d+$/);
    assert.doesNotMatch(doneLabel, /· (training|stopped)\b/);
    await w.clearNotifications();
    await w.screenshot('resumed', { sidebar: true, editor: true });
  });

  step(`9. the Backend setting "webgpu": a run on WebGPU (SwiftShader here), dawn.node loaded by the editor's runtime, the panel names the adapter`, 8 * 60_000, async () => {
    const w = workbench();
    const earlier = new Set([seen.firstRunId, basename(seen.secondRunDir), seen.thirdRunId]);
    // As a person edits the Remote settings.json; the Settings editor then shows the value the extension will read.
    updateMachineSettings(RUN_DIR, { 'smallConvnet.backend': 'webgpu' });
    await w.waitForRemoteSetting('smallConvnet.backend', 'webgpu');
    await w.runCommand('Train Small Convnet');
    await w.pick('Train Small Convnet: images', PREPARED_NAME);
    await w.pick(`prepared subsets in ${PREPARED_NAME}`, 'Use these subsets as they are');
    // The smallest images and two batches: SwiftShader runs the GPU's work on 2 CPU cores.
    await customRecipe(w, { epochs: 1, imageSize: 78, batchSize: 20 });
    // Named by its run id once the trainer started the run (before that, by a temporary label).
    const running = await panelUntil('the webgpu run to start', 2 * 60_000, (s) => s.runName !== null && /^\d{8}-\d{6}-/.test(s.runName) && !earlier.has(s.runName) && s.backend !== null);
    assert.match(running.backend ?? '', /^Backend WebGPU · Google SwiftShader .*\(Vulkan\): SwiftShader, a CPU emulation/, `the panel names the adapter: ${running.backend}`);
    const trainer = trainerProcesses()[0];
    assert.ok(trainer?.cmdline.includes('--backend webgpu'), `the trainer was asked for webgpu: ${trainer?.cmdline}`);
    const completed = await panelUntil('the webgpu run to complete', 6 * 60_000, (s) => s.runName === running.runName && s.phase === 'Completed');
    assert.deepEqual(completed.points, { accuracy: 1, val_accuracy: 1, loss: 1, val_loss: 1 });
    const runFolder = join(WORK_FOLDER, 'runs', completed.runName ?? '');
    const history = JSON.parse(readFileSync(join(runFolder, 'history.json'), 'utf8')) as { epochs: { loss: number }[] };
    assert.equal(history.epochs.length, 1);
    assert.ok(Number.isFinite(history.epochs[0].loss));
    assert.ok(existsSync(join(runFolder, 'best.json')), 'a checkpoint was saved');
    await w.screenshot('webgpu', { editor: true });
    seen.webgpuRunId = completed.runName ?? '';
  });

  step('10. right-click the run the panel shows -> Delete Run…: its tab leaves the panel, which shows another run', 2 * 60_000, async () => {
    const w = workbench();
    const runId = seen.webgpuRunId;
    const runFolder = join(WORK_FOLDER, 'runs', runId);
    const before = await panel();
    assert.equal(before.runName, runId, 'the panel shows the run to delete');
    const tabs = before.runTabs.length;
    // The tree learns that the run ended from its folder (a file watcher), a moment after the panel: until then
    // its row is a training run's, whose menu offers Stop instead of Delete (seen once, 170 ms after step 9).
    const row = w.treeRow('Checkpoints', runId, 1);
    await until('the Checkpoints row of the finished run', 30_000, async () => {
      const label = (await row.getAttribute('aria-label', { timeout: 1_000 }).catch(() => null)) ?? '';
      return label !== '' && !/training/.test(label) ? true : undefined;
    });
    const menu = await w.openContextMenu(row);
    assert.ok(menu.includes('Delete Run…'), `the context menu: ${menu.join(' | ')}`);
    await w.clickContextMenuItem('Delete Run…');
    // The modal confirmation (a dialog in the workbench's DOM).
    await w.page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Delete$/ }).click({ timeout: 10_000 });
    await until(`${runFolder} to be deleted`, 30_000, async () => (existsSync(runFolder) ? undefined : true));
    const after = await panelUntil('the deleted run to leave the panel', 30_000, (s) => s.runTabs.length === tabs - 1);
    assert.ok(!after.runTabs.some((tab) => tab.runDir === runFolder), `no tab for the deleted run: ${JSON.stringify(after.runTabs)}`);
    assert.notEqual(after.runName, runId, 'another run is in front');
    await w.screenshot('deleted', { sidebar: true, editor: true });
  });

  step('11. F1 -> Train Small Convnet while a run trains: asked first, before any prompt; "Stop It and Continue" stops that run (resumable) and the new one starts', 5 * 60_000, async () => {
    const w = workbench();
    // Back to the default backend (step 9 chose webgpu): the long run trains on wasm, a batch at a time.
    updateMachineSettings(RUN_DIR, { 'smallConvnet.backend': 'auto' });
    await w.waitForRemoteSetting('smallConvnet.backend', 'auto');
    const earlier = new Set((await panel()).runTabs.map((tab) => basename(tab.runDir)));
    await w.runCommand('Train Small Convnet');
    await w.pick('Train Small Convnet: images', PREPARED_NAME);
    await w.pick(`prepared subsets in ${PREPARED_NAME}`, 'Use these subsets as they are');
    await customRecipe(w, { epochs: LONG_EPOCHS, imageSize: LONG_IMAGE_SIZE, batchSize: 32 });
    // After its first epoch, so that it has something to resume from.
    const running = await panelUntil('the long run to finish epoch 1', 2 * 60_000, (s) => s.runName !== null && /^\d{8}-\d{6}-/.test(s.runName) && !earlier.has(s.runName) && s.phase === 'Running' && s.points.accuracy >= 1);
    const stoppedRunDir = join(WORK_FOLDER, 'runs', running.runName ?? '');
    const trainer = await until('the trainer of the long run', 30_000, async () => trainerProcesses().find((p) => p.cmdline.includes(` train ${PREPARED_DIR}`)));
    await w.clearNotifications();

    await w.runCommand('Train Small Convnet');
    // The question comes first; no prompt of the new training shows until it is answered.
    const question = /is training already; one run trains at a time/;
    assert.deepEqual(await w.notificationButtons(question), ['Stop It and Continue', 'Show Panel']);
    assert.equal(await w.quickInput.isVisible(), false, 'no prompt of the new training before the answer');
    assert.ok(isAlive(trainer.pid), 'the run trains while the question is open');
    await w.screenshot('second-training-asked');
    await w.clickNotificationButton(question, 'Stop It and Continue');

    // The old run stops after its batch, then the new training's prompts follow.
    const sources = await w.quickPickItems('Train Small Convnet: images', 90_000);
    assert.ok(sources.some((label) => label.includes(PREPARED_NAME)), `the images are asked next: ${sources.join(' | ')}`);
    assert.ok(!isAlive(trainer.pid), `trainer process ${trainer.pid} ended before the prompts`);
    const record = JSON.parse(readFileSync(join(stoppedRunDir, 'run.json'), 'utf8')) as { status: string };
    assert.equal(record.status, 'cancelled', `run.json of the stopped run: ${JSON.stringify(record)}`);
    await w.pick('Train Small Convnet: images', PREPARED_NAME);
    await w.pick(`prepared subsets in ${PREPARED_NAME}`, 'Use these subsets as they are');
    await customRecipe(w, { epochs: 1, imageSize: IMAGE_SIZE, batchSize: 32 });
    const completed = await panelUntil('the new run to complete', 3 * 60_000, (s) => s.runName !== null && /^\d{8}-\d{6}-/.test(s.runName) && s.runName !== running.runName && !earlier.has(s.runName) && s.phase === 'Completed');
    assert.deepEqual(completed.points, { accuracy: 1, val_accuracy: 1, loss: 1, val_loss: 1 });
    // The stopped run can be resumed from its context menu.
    await w.showViewContainer('Small Convnet');
    await runRowLabel(w, running.runName ?? '', /· stopped\b/);
    const menu = await w.openContextMenu(w.treeRow('Checkpoints', running.runName ?? '', 1));
    assert.ok(menu.includes('Resume Training'), `the stopped run offers Resume Training: ${menu.join(' | ')}`);
    await w.page.keyboard.press('Escape');
    seen.stoppedRunDir = stoppedRunDir;
    await w.clearNotifications();
  });

  step("12. close a run's tab, then Compare with…: the picker lists only the runs the panel does not show; the picked run is back and drawn over the charts", 2 * 60_000, async () => {
    const w = workbench();
    const before = await panel();
    const front = before.runTabs.find((tab) => tab.selected)?.runDir;
    const closing = seen.stoppedRunDir;
    const closingKey = before.runTabs.find((tab) => tab.runDir === closing)?.key;
    assert.ok(closingKey, `the panel shows the stopped run: ${JSON.stringify(before.runTabs)}`);
    assert.ok(before.compared.includes(closingKey), `runs of the same classes are drawn over the charts by default: ${JSON.stringify(before.compared)}`);
    await w.webview(EXTENSION_ID).locator(`.run-tab-item:has(.run-tab[title="${closing}"]) .run-tab-close`).click({ timeout: 10_000 });
    const closed = await panelUntil('the closed tab to go', 30_000, (s) => !s.runTabs.some((tab) => tab.runDir === closing));
    assert.ok(!closed.compared.includes(closingKey), 'a closed run is not drawn');
    assert.ok(existsSync(join(closing, 'run.json')), "closing a tab keeps the run's folder");

    await w.webview(EXTENSION_ID).getByTestId('pick-compare').click();
    const offered = await w.quickPickItems('Compare with a run');
    assert.equal(offered.length, 1, `only the run the panel does not show is offered: ${offered.join(' | ')}`);
    assert.ok(offered[0].includes(basename(closing)), `the closed run: ${offered[0]}`);
    await w.pick('Compare with a run', basename(closing));
    const back = await panelUntil('the picked run back in the panel, drawn over the charts', 30_000, (s) => s.compared.includes(s.runTabs.find((tab) => tab.runDir === closing)?.key ?? '-'));
    assert.equal(back.runTabs.find((tab) => tab.selected)?.runDir, front, 'the run in front stays in front');
    await w.screenshot('compared', { editor: true });
  });

  step(`13. File > Open Folder of class folders (cat, dog, other): Train Small Convnet on it as it is; the work folder inside is never read as a class; a folder that came split (train/, test/) offers its train/`, 5 * 60_000, async () => {
    const w = workbench();
    const three = join(RUN_DIR, 'workspace', 'three');
    makeClassFolders({ source: datasetDir(), dir: three, perClass: 20, skip: PER_CLASS, from: { cat: 'cat', dog: 'dog', other: 'cat' } });
    await w.openFolder(codeServer().url, three);
    await w.page.locator('.part.sidebar .monaco-list-row[aria-label^="other"]').waitFor({ timeout: 30_000 });
    await w.runCommand('Train Small Convnet', 60_000);
    await w.pick('Train Small Convnet: images', /^\S*\s*three\b/);
    const found = 'Found 3 classes (class folders): cat 20 · dog 20 · other 20';
    const splits = await w.quickPickItems(found);
    assert.equal(splits[0].split(',')[0], '8/4/8', `the suggested split: ${splits.join(' | ')}`);
    await w.pick(found, /^8\/4\/8/);
    await customRecipe(w, { epochs: 1, imageSize: IMAGE_SIZE, batchSize: 16 });
    const completed = await panelUntil('the three-class run to complete', 3 * 60_000, (s) => s.runName !== null && /^\d{8}-\d{6}-/.test(s.runName) && s.phase === 'Completed');
    assert.deepEqual(completed.points, { accuracy: 1, val_accuracy: 1, loss: 1, val_loss: 1 });
    const work = join(three, 'small-convnet-work');
    const prepared = join(work, 'data', 'three-8-4-8');
    assert.deepEqual(countsOnDisk(prepared), {
      train: { cat: 8, dog: 8, other: 8 },
      validation: { cat: 4, dog: 4, other: 4 },
      test: { cat: 8, dog: 8, other: 8 },
    });
    const record = JSON.parse(readFileSync(join(work, 'runs', completed.runName ?? '', 'run.json'), 'utf8')) as { classes: string[] };
    assert.deepEqual(record.classes, ['cat', 'dog', 'other']);
    assert.deepEqual(readdirSync(three).sort(), ['cat', 'dog', 'other', 'small-convnet-work'], 'the work folder is the only thing added to the dataset folder');
    for (const cls of ['cat', 'dog', 'other']) assert.equal(readdirSync(join(three, cls)).length, 20, `the source folder ${cls} is untouched`);
    await w.screenshot('three-classes', { editor: true });

    // Asked again, the folder still has three classes: small-convnet-work is not a fourth.
    await w.clearNotifications();
    await w.runCommand('Train Small Convnet');
    await w.pick('Train Small Convnet: images', /^\S*\s*three\b/);
    assert.ok((await w.quickPickItems(found)).length > 0);
    await w.page.keyboard.press('Escape');

    // A dataset that came split (train/ and test/, each holding the class folders) is not the classes "test" and
    // "train": the picker says so and offers its train/, whose classes are then the ones found.
    const cameSplit = join(RUN_DIR, 'workspace', 'came-split');
    makeClassFolders({ source: datasetDir(), dir: join(cameSplit, 'train'), perClass: 10, skip: PER_CLASS + 40, from: { cat: 'cat', dog: 'dog' } });
    makeClassFolders({ source: datasetDir(), dir: join(cameSplit, 'test'), perClass: 5, skip: PER_CLASS + 50, from: { cat: 'cat', dog: 'dog' } });
    await w.openFolder(codeServer().url, cameSplit);
    await w.page.locator('.part.sidebar .monaco-list-row[aria-label^="train"]').waitFor({ timeout: 30_000 });
    await w.runCommand('Train Small Convnet', 60_000);
    await w.pick('Train Small Convnet: images', /^\S*\s*came-split\b/);
    const alreadySplit = /looks already split into subsets \(train\/ and test\/\), not into classes/;
    assert.deepEqual(await w.notificationButtons(alreadySplit), ['Use train', 'Pick Another Folder']);
    await w.screenshot('came-split');
    await w.clickNotificationButton(alreadySplit, 'Use train');
    assert.ok((await w.quickPickItems('Found 2 classes (class folders): cat 10 · dog 10')).length > 0, "train/'s classes");
    await w.page.keyboard.press('Escape');
    assert.deepEqual(readdirSync(cameSplit).sort(), ['test', 'train'], 'nothing written into the dataset');
  });

  test('14. closes Chromium and code-server: no process of the run is left', { timeout: 60_000 }, async () => {
    await closeAll();
    // Every process the run started inherited SMALL_CONVNET_E2E_RUN_DIR; the test runner's own helpers (tsx's
    // esbuild service, from the repository's node_modules) are not the run's. Processes that were told to end
    // are given until they exit (no fixed wait): the list must become empty.
    const tooling = join(REPO_ROOT, 'node_modules') + '/';
    const runProcesses = () => processesWithEnv('SMALL_CONVNET_E2E_RUN_DIR', RUN_DIR).filter((p) => !p.cmdline.startsWith(tooling));
    await until('the processes of the run to end', 10_000, async () => (runProcesses().length === 0 ? true : undefined), 100).catch(() => undefined);
    const left = runProcesses();
    assert.deepEqual(left.map((p) => `${p.pid} ${p.cmdline.slice(0, 120)}`), [], 'processes of the run still running');
  });
});
