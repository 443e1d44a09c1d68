/**
 * The training panel in a real browser (Debian Chromium via playwright-core): the built panel under its real
 * CSP, fed the recorded trainer streams the way the extension host forwards them, checked for what a person
 * sees. Saves screenshots to docs/images/panel-*.png.
 *
 *   node --import tsx --test test/webview/panel.test.ts
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { TrainerMessage } from '../../src/shared/trainerProtocol';
import type { HostToWebviewMessage } from '../../src/shared/webviewProtocol';
import { fixtureImages } from './fixtureImages';
import { buildPanel, launchChromium, openPanel, startServer, waitUntil, type PanelPage, type PanelServer } from './harness';
import { asHostMessages, historyOf, imagePathsOf, readStream } from './streams';

const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'images');
const RUN_KEY = '/work/runs/20261128-195650-augmented';
const COMPARE_KEY = '/work/runs/20261128-195752-scratch';

const train = readStream('demo-train.jsonl');
const evaluate = readStream('demo-evaluate.jsonl');
const scratch = readStream('demo-scratch.jsonl');

function onlyOne<T extends TrainerMessage['type']>(events: readonly TrainerMessage[], type: T): Extract<TrainerMessage, { type: T }> {
  const found = events.filter((e): e is Extract<TrainerMessage, { type: T }> => e.type === type);
  assert.equal(found.length, 1, `expected one ${type} message in the stream`);
  return found[0];
}

/** Index just after the batch-end of (epoch, batch): the stream as far as the host had sent it then. */
function cutAfterBatch(events: readonly TrainerMessage[], epoch: number, batch: number): number {
  const index = events.findIndex((e) => e.type === 'batch-end' && e.epoch === epoch && e.batch === batch);
  assert.ok(index >= 0, `no batch-end ${epoch}/${batch} in the stream`);
  return index + 1;
}

describe('training panel (Chromium)', { timeout: 60_000 }, () => {
  let browser: Browser | undefined;
  let server: PanelServer | undefined;
  let panel: PanelPage;
  let disposeBuild: (() => void) | undefined;

  const imageUris = (events: readonly TrainerMessage[]): HostToWebviewMessage => ({
    type: 'image-uris',
    uris: Object.fromEntries(imagePathsOf(events).map((p) => [p, server?.imageUri(p) ?? ''])),
  });

  const text = async (testId: string): Promise<string> => (await panel.page.getByTestId(testId).first().innerText()).trim();
  const count = (selector: string): Promise<number> => panel.page.locator(selector).count();
  /** A computed style property of the first element matching `selector`. */
  const computed = async (selector: string, property: string): Promise<string> =>
    String(await panel.page.evaluate(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).getPropertyValue(${JSON.stringify(property)})`));
  const screenshot = async (name: string): Promise<void> => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    // No hover or focus ring from the last click in the picture.
    await panel.page.mouse.move(0, 0);
    await panel.page.evaluate('document.activeElement instanceof HTMLElement && document.activeElement.blur()');
    await panel.page.screenshot({ path: join(SCREENSHOTS, `panel-${name}.png`), fullPage: true, animations: 'disabled', caret: 'hide' });
  };
  /** Points of one series of the focused run in one chart. */
  const points = (chart: 'accuracy' | 'loss', series: string): Promise<number> =>
    count(`svg[data-chart="${chart}"] g[data-role="focus"] circle[data-series="${series}"]`);
  const lineVertices = async (chart: 'accuracy' | 'loss', series: string): Promise<number> => {
    const line = panel.page.locator(`svg[data-chart="${chart}"] g[data-role="focus"][data-series-group="${series}"] polyline`);
    if ((await line.count()) === 0) return 0;
    return ((await line.getAttribute('points')) ?? '').trim().split(/\s+/).length;
  };
  const expectPoints = async (epochs: number): Promise<void> => {
    for (const [chart, train, val] of [['accuracy', 'accuracy', 'val_accuracy'], ['loss', 'loss', 'val_loss']] as const) {
      assert.equal(await points(chart, train), epochs, `${chart} chart: training dots`);
      assert.equal(await points(chart, val), epochs, `${chart} chart: validation vertices`);
      if (epochs > 1) assert.equal(await lineVertices(chart, val), epochs, `${chart} chart: validation line`);
    }
  };

  before(async () => {
    const build = await buildPanel();
    disposeBuild = build.dispose;
    const images = await fixtureImages([...new Set([...imagePathsOf(train), ...imagePathsOf(evaluate)])]);
    server = await startServer({ bundleDir: build.dir, images });
    browser = await launchChromium();
    panel = await openPanel(browser, server);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    disposeBuild?.();
  });

  it('shows the empty state first, posts ready, and starts a recipe', async () => {
    await panel.page.getByText('Train a small convnet').waitFor();
    assert.deepEqual(await panel.posted(), [{ type: 'ready', front: null }], 'a fresh panel: the host says what goes in front');
    await screenshot('empty');
    await panel.page.getByTestId('start-scratch').click();
    await panel.page.getByTestId('start-augmented').click();
    assert.deepEqual((await panel.posted()).slice(1), [
      { type: 'start-recipe', recipe: 'scratch' },
      { type: 'start-recipe', recipe: 'augmented' },
    ]);
  });

  it('follows a live run: epoch counter, batch progress, points per finished epoch, Stop', async () => {
    const cut = cutAfterBatch(train, 2, 4);
    await panel.send([imageUris(train), ...asHostMessages(RUN_KEY, train.slice(0, cut))]);
    assert.equal(await text('epoch-counter'), 'Epoch 2 of 3');
    assert.equal(await text('batch-count'), 'Batch 4 of 7');
    assert.match(await text('eta'), /^about \d+ s left$/);
    assert.equal(await text('phase'), 'Running');
    await expectPoints(1);
    assert.match(await text('backend'), /WebAssembly/);
    assert.equal(await text('total-params'), `Total params: 978,753`);
    assert.equal(onlyOne(train, 'model-summary').totalParams, 978_753);
    assert.equal(await count('[data-testid="augmentation-image"]'), 9);
    await waitUntil(panel.page, `[...document.querySelectorAll('[data-testid="augmentation-image"]')].every((img) => img.complete && img.naturalWidth > 0)`);
    await screenshot('light-running');
    await panel.setTheme('vscode-dark');
    await screenshot('dark-running');
    await panel.setTheme('vscode-light');

    await panel.clearPosted();
    await panel.page.getByTestId('stop').click();
    assert.deepEqual(await panel.posted(), [{ type: 'stop-run', runKey: RUN_KEY }]);

    await panel.send(asHostMessages(RUN_KEY, train.slice(cut)));
    assert.equal(await text('epoch-counter'), 'Epoch 3 of 3');
    assert.equal(await text('phase'), 'Completed');
    assert.equal(await count('[data-testid="stop"]'), 0);
    await expectPoints(3);
    const lastCheckpoint = train.filter((e) => e.type === 'checkpoint-saved').pop();
    assert.equal(await panel.page.locator('svg[data-chart="loss"] [data-marker="best"]').getAttribute('data-epoch'), String(lastCheckpoint?.epoch));
  });

  it('evaluates the best checkpoint: confusion matrix, per-class accuracy, wrong images', async () => {
    await panel.clearPosted();
    await panel.page.getByTestId('evaluate').click();
    assert.deepEqual(await panel.posted(), [{ type: 'evaluate-run', runKey: RUN_KEY }]);

    const evaluation = onlyOne(evaluate, 'evaluation');
    await panel.send([imageUris(evaluate), ...asHostMessages(RUN_KEY, evaluate)]);
    assert.equal(await text('test-accuracy'), `${(evaluation.accuracy * 100).toFixed(1)}%`);
    let sum = 0;
    for (const [i, row] of evaluation.confusion.entries()) {
      for (const [j, expected] of row.entries()) {
        const cell = panel.page.locator(`[data-testid="confusion"] td[data-true="${i}"][data-predicted="${j}"]`);
        assert.equal(Number((await cell.innerText()).replace(/,/g, '')), expected, `confusion[${i}][${j}]`);
        sum += expected;
      }
    }
    assert.equal(sum, evaluation.count);
    assert.equal(await count('[data-testid="confusion"] td[data-true]'), evaluation.classes.length ** 2);
    const perClass = await panel.page.getByTestId('class-accuracy').allInnerTexts();
    assert.deepEqual(perClass.map((t) => t.split(' ')[0]), evaluation.perClassAccuracy.map((a) => `${(a * 100).toFixed(1)}%`));

    const wrong = panel.page.getByTestId('wrong');
    assert.equal(await wrong.count(), evaluation.mostConfidentlyWrong.length);
    const first = evaluation.mostConfidentlyWrong[0];
    assert.match(await wrong.first().innerText(), new RegExp(`${first.label} predicted ${first.predicted} \\(${Math.round(first.confidence * 100)}%\\)`));
    await waitUntil(panel.page, `[...document.querySelectorAll('[data-testid="wrong"] img')].every((img) => img.complete && img.naturalWidth > 0)`);
    await panel.clearPosted();
    await wrong.first().click();
    assert.deepEqual(await panel.posted(), [{ type: 'open-file', path: first.file }]);

    await screenshot('light-evaluated');
    await panel.setTheme('vscode-dark');
    await screenshot('dark-evaluated');
  });

  it('"Show where the model looked": asks the host for the missing heatmaps once, then shows each overlay and the note', async () => {
    const wrong = onlyOne(evaluate, 'evaluation').mostConfidentlyWrong;
    await panel.clearPosted();
    await panel.page.getByTestId('heatmap-toggle').click();
    assert.deepEqual(await panel.posted(), [{ type: 'explain-images', runKey: RUN_KEY, files: wrong.map((w) => w.file) }]);
    assert.match(await panel.page.getByTestId('heatmap-note').innerText(), /shortcut/);
    // The host's answer: an overlay per image (served here from the image itself) and its explanation.
    const overlayOf = (file: string) => `/work/runs/demo/explanations/${file.split('/').pop()}-gradcam.png`;
    await panel.send([
      { type: 'image-uris', uris: Object.fromEntries(wrong.map((w) => [overlayOf(w.file), `${server?.imageUri(w.file)}?overlay`])) },
      ...wrong.map((w): HostToWebviewMessage => ({
        type: 'trainer-event',
        runKey: RUN_KEY,
        event: { type: 'explanation', file: w.file, classes: onlyOne(evaluate, 'evaluation').classes, probabilities: [1 - w.confidence, w.confidence], predicted: w.predicted, explained: w.predicted, heatmap: [[0, 1], [0.5, 0.25]], overlayFile: overlayOf(w.file) },
      })),
    ]);
    const images = panel.page.locator('[data-testid="wrong"] img');
    await waitUntil(panel.page, `[...document.querySelectorAll('[data-testid="wrong"] img')].every((img) => img.dataset.heatmap === 'on')`);
    assert.match((await images.first().getAttribute('src')) ?? '', /\?overlay$/);
    assert.match((await images.first().getAttribute('alt')) ?? '', /with the heatmap of "/);
    await screenshot('heatmaps');
    // With heatmaps on, a click opens the image large: its probabilities, then (asked for) each layer's feature maps.
    await panel.clearPosted();
    await panel.page.getByTestId('wrong').first().click();
    await panel.page.getByTestId('wrong-detail').waitFor();
    assert.deepEqual(await panel.posted(), [], 'opening it large asks nothing of the host');
    assert.match(await panel.page.getByTestId('detail-probabilities').innerText(), /%/);
    await panel.page.getByTestId('show-feature-maps').click();
    assert.deepEqual(await panel.posted(), [{ type: 'activations-image', runKey: RUN_KEY, file: wrong[0].file }]);
    const layerFile = (name: string) => `/work/runs/demo/activations/x/${name}.png`;
    await panel.send([
      { type: 'image-uris', uris: { [layerFile('conv2d_1')]: `${server?.imageUri(wrong[0].file)}?conv2d_1`, [layerFile('conv2d_5')]: `${server?.imageUri(wrong[0].file)}?conv2d_5` } },
      {
        type: 'trainer-event',
        runKey: RUN_KEY,
        event: { type: 'activations', file: wrong[0].file, layers: [
          { name: 'conv2d_1', kind: 'Conv2D', shape: [78, 78, 32], channels: 16, file: layerFile('conv2d_1') },
          { name: 'conv2d_5', kind: 'Conv2D', shape: [1, 1, 256], channels: 16, file: layerFile('conv2d_5') },
        ] },
      },
    ]);
    await panel.page.getByTestId('feature-maps').waitFor();
    assert.match((await panel.page.getByTestId('feature-maps').getAttribute('src')) ?? '', /\?conv2d_1$/, 'the first layer first');
    await panel.page.locator('[data-testid="layer"][data-layer="conv2d_5"]').click();
    await waitUntil(panel.page, `document.querySelector('[data-testid="feature-maps"]').src.endsWith('?conv2d_5')`);
    await screenshot('wrong-detail');
    await panel.page.getByTestId('close-detail').click();
    await waitUntil(panel.page, `document.querySelector('[data-testid="wrong-detail"]') === null`);
    // Off again: the original images, and no new request.
    await panel.clearPosted();
    await panel.page.getByTestId('heatmap-toggle').click();
    await waitUntil(panel.page, `[...document.querySelectorAll('[data-testid="wrong"] img')].every((img) => img.dataset.heatmap === 'off')`);
    assert.deepEqual(await panel.posted(), []);
  });

  it('Export model… asks the host; an export shows "Use this model" with its snippets (input size, class order)', async () => {
    await panel.clearPosted();
    await panel.page.getByTestId('export').click();
    assert.deepEqual(await panel.posted(), [{ type: 'export-run', runKey: RUN_KEY }]);
    const classes = onlyOne(evaluate, 'evaluation').classes;
    const path = '/work/runs/demo/exports/demo-epoch-0003.onnx';
    await panel.send([{ type: 'trainer-event', runKey: RUN_KEY, event: { type: 'exported', format: 'onnx', path, files: [path], checkpoint: '/work/runs/demo/checkpoints/epoch-0003', epoch: 3, classes, imageSize: 80 } }]);
    const python = panel.page.getByTestId('snippet-onnx-python');
    await python.waitFor();
    const code = await python.innerText();
    assert.ok(code.includes(JSON.stringify(path)), 'the exported file');
    assert.ok(code.includes(JSON.stringify(classes)), 'the class order');
    assert.match(await panel.page.getByTestId('snippet-onnx-javascript').innerText(), /const SIZE = 80;/);
    await panel.clearPosted();
    await panel.page.getByTestId('export-onnx').click();
    assert.deepEqual(await panel.posted(), [{ type: 'open-file', path }]);
    await panel.page.getByTestId('snippet-onnx-python').scrollIntoViewIfNeeded();
    await screenshot('use-model');
  });

  it('follows the theme: chart colours change with the body class', async () => {
    const colours = async (): Promise<string> => {
      const dot = await computed('svg[data-chart="accuracy"] g[data-role="focus"] circle[data-series="accuracy"]', 'fill');
      const line = await computed('svg[data-chart="accuracy"] g[data-role="focus"] polyline', 'stroke');
      const label = await computed('svg[data-chart="accuracy"] .tick-label', 'fill');
      return `${dot} | ${line} | ${label}`;
    };
    const seen = new Map<string, string>();
    for (const theme of ['vscode-light', 'vscode-dark', 'vscode-high-contrast'] as const) {
      await panel.setTheme(theme);
      seen.set(theme, await colours());
    }
    assert.equal(seen.get('vscode-light'), 'rgb(26, 133, 255) | rgb(209, 134, 22) | rgb(111, 111, 111)');
    assert.equal(new Set(seen.values()).size, 3, `colours per theme: ${JSON.stringify([...seen])}`);
    const border = await computed('.chart-card', 'border-top-color');
    assert.equal(border, 'rgb(111, 195, 223)', 'high contrast: chart cards get the contrast border');
    await screenshot('high-contrast');
    await panel.setTheme('vscode-light');
  });

  it('restores points and epoch counter from getState after a reload, before any message', async () => {
    await panel.page.reload();
    await panel.page.getByTestId('epoch-counter').waitFor();
    assert.equal(await text('epoch-counter'), 'Epoch 3 of 3');
    await expectPoints(3);
    assert.equal(await count('[data-testid="confusion"] td[data-true]'), 4);
    // The run it restored in front is named, so that the host's replay leaves the front to the panel.
    assert.deepEqual(await panel.posted(), [{ type: 'ready', front: RUN_KEY }]);
  });

  it('overlays another run with a legend and a toggle, and asks the host for more', async () => {
    const record = onlyOne(scratch, 'run-started');
    const scratchEpochs = scratch.filter((e) => e.type === 'epoch-end').length;
    await panel.send([
      {
        type: 'run-loaded',
        runKey: COMPARE_KEY,
        record: {
          version: 1,
          runId: record.runId,
          settings: record.settings,
          classes: record.classes,
          dataDir: '/work/demo/subsets',
          manifestId: record.manifestId,
          backend: 'wasm',
          startedAt: '2026-11-28T19:57:52Z',
          finishedAt: '2026-11-28T19:59:00Z',
          status: 'completed',
          message: null,
          skippedFiles: 0,
        },
        history: historyOf(scratch),
        evaluation: null,
      },
    ]);
    // The loaded run does not take the front; it is drawn over the focused run.
    assert.equal(await text('epoch-counter'), 'Epoch 3 of 3');
    const compared = `svg[data-chart="loss"] g[data-role="compare"][data-run="${COMPARE_KEY}"] circle`;
    assert.equal(await count(`${compared}[data-series="val_loss"]`), scratchEpochs);
    assert.equal(await count(`${compared}[data-series="loss"]`), scratchEpochs);
    await expectPoints(3);
    await screenshot('compare');

    await panel.page.getByTestId('overlay-toggle').click();
    assert.equal(await count(compared), 0);
    await panel.page.getByTestId('overlay-toggle').click();
    assert.equal(await count(`${compared}[data-series="val_loss"]`), scratchEpochs);

    await panel.clearPosted();
    await panel.page.getByTestId('pick-compare').click();
    assert.deepEqual(await panel.posted(), [{ type: 'pick-run-to-compare' }]);

    // Bringing the compared run to the front swaps the roles.
    await panel.page.locator(`.run-tab[data-run="${COMPARE_KEY}"]`).click();
    assert.equal(await text('epoch-counter'), `Epoch ${scratchEpochs} of ${record.settings.epochs}`);
    await expectPoints(scratchEpochs);
    // The recorded Model 1 run overfits: the panel says so, with the epoch of the lowest validation loss.
    const epochs = historyOf(scratch).epochs;
    const best = epochs.reduce((a, b) => (b.val_loss < a.val_loss ? b : a));
    assert.match(await panel.page.locator('[data-note="overfitting"]').innerText(), new RegExp(`Since epoch ${best.epoch} the validation loss rises`));
    await screenshot('overfitting');
  });

  it('a run training in the background says so, and its Stop turns into "Stopping…"', async () => {
    const key = '/work/runs/background';
    const started = onlyOne(train, 'run-started');
    const record = { version: 1, runId: 'background', settings: started.settings, classes: started.classes, dataDir: '/data', manifestId: null, backend: 'wasm', startedAt: '', finishedAt: null, status: 'running', message: null, skippedFiles: 0 } as const;
    const detail = 'Training in the background (pid 42): its progress is read from its run folder every few seconds; the charts add each epoch when it ends.';
    await panel.send([
      { type: 'run-loaded', runKey: key, record, history: historyOf(train.slice(0, cutAfterBatch(train, 2, 7) + 1)), evaluation: null },
      { type: 'run-phase', runKey: key, phase: 'running', detail, logTail: [] },
      { type: 'focus-run', runKey: key },
    ]);
    assert.equal(await text('phase'), 'Running');
    assert.equal(await text('phase-detail'), detail);
    await panel.clearPosted();
    await panel.page.getByTestId('stop').click();
    assert.deepEqual(await panel.posted(), [{ type: 'stop-run', runKey: key }]);
    await panel.send([{ type: 'run-phase', runKey: key, phase: 'stopping', detail: 'Stopping after the current batch…', logTail: [] }]);
    assert.equal(await text('stop'), 'Stopping…');
    assert.equal(await panel.page.getByTestId('stop').getAttribute('disabled'), '');
    await panel.send([
      { type: 'run-loaded', runKey: key, record: { ...record, status: 'cancelled', message: 'interrupted (SIGINT)' }, history: historyOf(train), evaluation: null },
      { type: 'run-phase', runKey: key, phase: 'stopped', detail: 'Stopped: interrupted (SIGINT).', logTail: [] },
    ]);
    assert.equal(await text('phase'), 'Stopped');
    assert.equal(await text('phase-detail'), 'Stopped: interrupted (SIGINT).');
    assert.equal(await count('[data-testid="stop"]'), 0);
  });

  it('shows a crash with its detail and log tail', async () => {
    const key = '/work/runs/crashed';
    await panel.send([
      ...asHostMessages(key, train.slice(0, cutAfterBatch(train, 1, 2))),
      { type: 'run-phase', runKey: key, phase: 'crashed', detail: 'The trainer exited with code 1.', logTail: ['Error: out of memory', '    at train (main.js:1:1)'] },
    ]);
    assert.equal(await text('phase'), 'Crashed');
    assert.match(await text('phase-detail'), /exited with code 1[\s\S]*out of memory/);
    assert.equal(await count('[data-testid="stop"]'), 0);
  });

  it('ran without CSP violations, console errors or failed requests', async () => {
    assert.deepEqual(await panel.violations(), []);
    assert.deepEqual(panel.errors, []);
  });
});
