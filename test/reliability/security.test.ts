/**
 * Security (issue 5). The webview: a strict CSP with a fresh nonce and no remote content, resource roots
 * limited to the extension's panel bundle and media and the runs (and shown images) of the panel, and
 * every message from the webview validated before use. The trainer: nothing read from a manifest, a
 * checkpoint's best.json or model.json, or a dataset makes it read or write outside its folders.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PanelActions } from '../../src/extension/panel/panelSession';
import { PanelSession } from '../../src/extension/panel/panelSession';
import { makeNonce, panelCsp, panelHtml } from '../../src/extension/panel/panelHtml';
import { readRunFolder } from '../../src/extension/runs/runStore';
import { TrainingRuns } from '../../src/extension/session/trainingRuns';
import type { TrainerLauncher } from '../../src/extension/trainer/trainerLauncher';
import { BEST_FILE, MODEL_FILE, RUN_FILE, type CheckpointMetadata } from '../../src/shared/runFiles';
import { parseWebviewMessage } from '../../src/shared/webviewProtocol';
import { MANIFEST_FILE, manifestId, type Manifest } from '../../src/trainer/data/manifest';
import { installFakeVscode, makeFakeVscode } from '../extension/helpers/fakeVscode';
import { writeFinishedRun } from '../extension/helpers/scriptedTrainer';
import { messagesOfType, runTrainer } from '../helpers/runTrainer';
import { makeTinyDataset, tinyTrainOptions } from '../helpers/tinyData';

const REPO_ROOT = join(__dirname, '..', '..');
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const NO_LAUNCHER: TrainerLauncher = {
  start: () => {
    throw new Error('no trainer in this test');
  },
};

let root: string;
let data: string;
let runDir: string;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'sc-security-'));
  data = await makeTinyDataset({ root });
  const run = await runTrainer({ args: ['train', ...tinyTrainOptions({ data, out: join(root, 'work'), epochs: 1 }), '--json'] });
  assert.equal(run.code, 0, run.stderr);
  runDir = messagesOfType(run, 'run-started')[0].runDir;
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('webview: content security policy', () => {
  const cspSource = 'https://webview.test';
  const html = (nonce = makeNonce()) =>
    panelHtml({ cspSource, nonce, scriptUri: `${cspSource}/ext/dist/webview/panel.js`, styleUri: `${cspSource}/ext/dist/webview/panel.css`, title: 'Small Convnet <b>"x"</b>' });

  it('default-src none; scripts only with the nonce; no unsafe-*, no wildcard, no remote source', () => {
    const nonce = makeNonce();
    const directives = new Map(
      panelCsp({ cspSource, nonce })
        .split(';')
        .map((part) => part.trim().split(/\s+/))
        .filter((words) => words[0] !== '')
        .map(([name, ...sources]) => [name, sources]),
    );
    assert.deepEqual(directives.get('default-src'), ["'none'"]);
    assert.deepEqual(directives.get('script-src'), [`'nonce-${nonce}'`]);
    assert.deepEqual(directives.get('style-src'), [cspSource, `'nonce-${nonce}'`]);
    assert.deepEqual(directives.get('img-src'), [cspSource, 'data:']);
    for (const name of ['connect-src', 'frame-src', 'object-src', 'worker-src', 'child-src']) assert.equal(directives.get(name), undefined, `${name} falls back to 'none'`);
    for (const [name, sources] of directives) {
      for (const source of sources) {
        assert.ok(
          ["'none'", `'nonce-${nonce}'`, cspSource, 'data:'].includes(source),
          `${name} allows ${source}: only the webview's own resources, the nonce and (images) data: URIs`,
        );
      }
    }
  });

  it('every script and stylesheet carries the nonce; no inline script or handler; the title is escaped', () => {
    const nonce = makeNonce();
    const page = html(nonce);
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page);
    assert.equal(meta?.[1].replaceAll('&#39;', "'"), panelCsp({ cspSource, nonce }), 'the meta tag carries the policy');
    const scripts = [...page.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    assert.match(scripts[0][1], new RegExp(`nonce="${nonce.replace(/[+/=]/g, (c) => `\\${c}`)}"`));
    assert.match(scripts[0][1], /src="https:\/\/webview\.test\//);
    assert.equal(scripts[0][2].trim(), '', 'no inline script');
    assert.ok([...page.matchAll(/<link\b[^>]*>/g)].every((link) => link[0].includes(`nonce="${nonce}"`)));
    assert.doesNotMatch(page, /\son[a-z]+\s*=/i, 'no inline event handler');
    assert.ok([...page.matchAll(/https?:\/\/[^\s"'<>]+/g)].every((url) => url[0].startsWith(cspSource)), 'no remote URL');
    assert.match(page, /<title>Small Convnet &lt;b&gt;&quot;x&quot;&lt;\/b&gt;<\/title>/);
  });

  it('a fresh 256-bit nonce for every document; a nonce that could break out of the policy is refused', () => {
    const nonces = new Set(Array.from({ length: 50 }, () => makeNonce()));
    assert.equal(nonces.size, 50);
    assert.ok([...nonces].every((nonce) => Buffer.from(nonce, 'base64').length === 32));
    assert.throws(() => html(`abc' 'unsafe-eval`), /the nonce must be base64/);
    assert.throws(() => html('abc"><script>'), /the nonce must be base64/);
  });

  it('the panel bundle has no eval and no network API (it loads nothing remote)', () => {
    const bundle = readFileSync(join(REPO_ROOT, 'dist', 'webview', 'panel.js'), 'utf8');
    for (const pattern of [/\beval\(/, /new Function\(/, /\bfetch\(/, /XMLHttpRequest/, /WebSocket/, /EventSource/, /sendBeacon/, /\bimport\(/]) {
      assert.doesNotMatch(bundle, pattern);
    }
  });
});

describe('webview: resource roots', () => {
  let harness: ReturnType<typeof makeFakeVscode>;
  let uninstall: () => void;
  let TrainingPanelClass: typeof import('../../src/extension/panel/trainingPanel').TrainingPanel;
  let work: string;
  let dataDir: string;
  let shownRun: string;

  before(() => {
    work = join(root, 'panel-work');
    dataDir = join(work, 'data', 'images-4-2-2');
    shownRun = join(work, 'runs', 'finished');
    writeFinishedRun({ runDir: shownRun, dataDir });
    harness = makeFakeVscode({ workspaceFolder: root });
    uninstall = installFakeVscode(harness.fake);
    // Loaded after the fake `vscode` is in place.
    TrainingPanelClass = (createRequire(__filename)('../../src/extension/panel/trainingPanel') as typeof import('../../src/extension/panel/trainingPanel')).TrainingPanel;
  });
  after(() => uninstall());

  function newPanel() {
    const actions = { evaluateRun: () => undefined, exportRun: () => undefined, explainImages: () => undefined, activationsOfImage: () => undefined, pickRunToCompare: async () => undefined, startRecipe: () => undefined };
    return new TrainingPanelClass({
      extensionUri: harness.Uri.file(join(root, 'ext')) as never,
      runs: new TrainingRuns(NO_LAUNCHER),
      log: { appendLine: () => undefined } as never,
      workFolder: () => work,
      actions,
    });
  }

  const rootsOf = (index: number) => (harness.recorder.panels[index].webview.options.localResourceRoots ?? []).map((uri) => uri.fsPath).sort();

  it('a new panel may load only its bundle and media: not the work folder, not the data', () => {
    const panel = newPanel();
    panel.show();
    assert.deepEqual(rootsOf(0), [join(root, 'ext', 'dist', 'webview'), join(root, 'ext', 'media')]);
    panel.dispose();
  });

  it('showing a run adds only the folders of the images it shows (its test images), nothing above them', async () => {
    const panel = newPanel();
    const session = panel.show();
    await session.showRun(shownRun, { focus: true });
    const roots = rootsOf(1);
    assert.deepEqual(roots, [join(root, 'ext', 'dist', 'webview'), join(root, 'ext', 'media'), join(dataDir, 'test', 'stripes')]);
    assert.ok(!roots.includes(work) && !roots.includes(dataDir));
    panel.dispose();
  });

  it('after a reload, the saved state (from the webview, untrusted) adds only folders that are runs', async () => {
    const panel = newPanel();
    const fakePanel = harness.fake.window.createWebviewPanel('smallConvnet.trainingPanel', 'restored', -1, {});
    const state = { runs: { [shownRun]: { runDir: shownRun }, '/': { runDir: '/' }, evil: { runDir: join(root, 'source') } }, order: [shownRun, '/', 'evil'], focus: '/' };
    await panel.restore(fakePanel as never, state);
    const roots = rootsOf(2);
    assert.deepEqual(roots, [join(root, 'ext', 'dist', 'webview'), join(root, 'ext', 'media'), shownRun]);
    panel.dispose();
  });
});

describe('webview: messages from the panel are validated before use', () => {
  it('malformed or unknown messages are refused; valid ones keep only their known fields', () => {
    const refused: unknown[] = [
      null, undefined, 42, 'ready', [], [{ type: 'ready' }], {}, { type: 7 }, { type: 'bogus' }, { type: '__proto__' }, { type: 'constructor' },
      { type: 'open-file' }, { type: 'open-file', path: 7 }, { type: 'open-file', path: ['/etc/passwd'] },
      { type: 'stop-run' }, { type: 'stop-run', runKey: { toString: '/x' } }, { type: 'evaluate-run', runKey: 5 },
      { type: 'start-recipe', recipe: 'rm -rf /' }, { type: 'start-recipe' },
    ];
    for (const message of refused) assert.equal(parseWebviewMessage(message), undefined, JSON.stringify(message));
    assert.deepEqual(parseWebviewMessage({ type: 'ready', extra: '<script>' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'start-recipe', recipe: 'scratch', epochs: 1e9 }), { type: 'start-recipe', recipe: 'scratch' });
  });

  it('the host logs and ignores refused messages, opens files only inside its folders, evaluates only runs it showed', async () => {
    const work = join(root, 'session-work');
    const shown = join(work, 'runs', 'shown');
    writeFinishedRun({ runDir: shown, dataDir: join(work, 'data', 'd') });
    const calls = { evaluate: [] as string[], open: [] as string[], log: [] as string[], informed: [] as string[], stopped: [] as string[] };
    const actions: PanelActions = {
      evaluateRun: (dir) => calls.evaluate.push(dir),
      exportRun: (dir) => calls.evaluate.push(dir),
      explainImages: (dir) => calls.evaluate.push(dir),
      activationsOfImage: (dir) => calls.evaluate.push(dir),
      openFile: (file) => calls.open.push(file),
      pickRunToCompare: async () => undefined,
      startRecipe: () => undefined,
      stopBackgroundRun: async (dir) => {
        calls.stopped.push(dir);
        return { asked: true, text: 'stopping' };
      },
      inform: (text) => calls.informed.push(text),
      log: (line) => calls.log.push(line),
    };
    const session = new PanelSession({
      port: { post: () => undefined, webviewUris: () => ({}) },
      runs: new TrainingRuns(NO_LAUNCHER),
      readRun: readRunFolder,
      listImages: async () => [],
      actions,
      workFolder: () => work,
    });
    await session.showRun(shown, { focus: true });
    for (const raw of [null, { type: 'open-file', path: 3 }, { type: 'nope' }]) await session.handleMessage(raw);
    assert.equal(calls.log.filter((line) => line.startsWith('Ignored a malformed message from the panel:')).length, 3);

    for (const path of ['/etc/passwd', 'runs/shown/run.json', `${work}${sep}..${sep}..${sep}etc${sep}passwd`, `${join(root, 'source')}`]) {
      await session.handleMessage({ type: 'open-file', path });
    }
    await session.handleMessage({ type: 'open-file', path: join(shown, 'history.json') });
    assert.deepEqual(calls.open, [join(shown, 'history.json')]);
    assert.equal(calls.log.filter((line) => line.startsWith('Refused to open')).length, 4);

    await session.handleMessage({ type: 'evaluate-run', runKey: join(root, 'source') });
    await session.handleMessage({ type: 'evaluate-run', runKey: '/' });
    await session.handleMessage({ type: 'evaluate-run', runKey: shown });
    assert.deepEqual(calls.evaluate, [shown], 'only the run the panel was shown');
    session.dispose();
  });
});

describe('trainer: nothing read from a manifest, a checkpoint or a dataset leads outside its folders', () => {
  /** A copy of the prepared data whose manifest lists `file` (with a matching id, as a forger would compute it). */
  function dataWithManifestFile(name: string, file: string): string {
    const copy = join(root, name);
    cpSync(data, copy, { recursive: true });
    const manifest = readJson<Manifest>(join(copy, MANIFEST_FILE));
    manifest.files.train[manifest.classes[0]][0] = file;
    manifest.id = manifestId(manifest);
    writeFileSync(join(copy, MANIFEST_FILE), JSON.stringify(manifest));
    return copy;
  }

  for (const [label, file] of [
    ['../outside.jpg', '../outside.jpg'],
    ['an absolute path', '/etc/passwd'],
    ['a Windows absolute path', 'C:\\Windows\\win.ini'],
    ['a path through ..', 'spots/../../../outside.jpg'],
  ] as const) {
    it(`a manifest listing ${label} is refused by train and by prepare`, async () => {
      const dir = dataWithManifestFile(`manifest-${label.replace(/\W+/g, '-')}`, file);
      const train = await runTrainer({ args: ['train', ...tinyTrainOptions({ data: dir, out: join(root, 'never'), epochs: 1 }), '--json'] });
      assert.equal(train.code, 3, train.stderr);
      const error = messagesOfType(train, 'error')[0];
      assert.equal(error.code, 'bad-data');
      assert.match(error.message, new RegExp(`^The manifest ${join(dir, MANIFEST_FILE)} is not valid: the file path .* is absolute or leaves the source folder\\. Delete it, or prepare the data again with --replace\\.$`));
      const prepare = await runTrainer({ args: ['prepare', join(root, 'source'), '--split', '5/3/2', '--out', dir, '--json'] });
      assert.equal(prepare.code, 3);
      assert.match(messagesOfType(prepare, 'error')[0].message, /is not empty: it holds .* with an unreadable manifest/);
    });
  }

  it('a manifest class named ../x is refused', async () => {
    const copy = join(root, 'manifest-class');
    cpSync(data, copy, { recursive: true });
    const manifest = readJson<Manifest>(join(copy, MANIFEST_FILE));
    const [first] = manifest.classes;
    manifest.classes[0] = '../x';
    for (const subset of ['train', 'validation', 'test'] as const) {
      manifest.files[subset]['../x'] = manifest.files[subset][first];
      delete manifest.files[subset][first];
    }
    manifest.id = manifestId(manifest);
    writeFileSync(join(copy, MANIFEST_FILE), JSON.stringify(manifest));
    const train = await runTrainer({ args: ['train', ...tinyTrainOptions({ data: copy, out: join(root, 'never'), epochs: 1 }), '--json'] });
    assert.equal(train.code, 3);
    assert.match(messagesOfType(train, 'error')[0].message, /class name "\.\.\/x" is not a plain folder name/);
  });

  /** A copy of the trained run with best.json's `checkpoint` replaced. */
  function runWithCheckpointField(name: string, checkpoint: string): string {
    const copy = join(root, 'tampered', name);
    cpSync(runDir, copy, { recursive: true });
    const best = readJson<CheckpointMetadata>(join(copy, BEST_FILE));
    writeFileSync(join(copy, BEST_FILE), JSON.stringify({ ...best, checkpoint }));
    return copy;
  }

  it('best.json naming a checkpoint outside its run (a real, loadable one) is refused by evaluate and predict, and by the extension', async () => {
    const best = readJson<CheckpointMetadata>(join(runDir, BEST_FILE));
    const outside = join(runDir, best.checkpoint); // a valid checkpoint, just not this copy's
    const image = join(data, 'test', readdirSync(join(data, 'test'))[0]);
    for (const [label, checkpoint] of [
      ['relative', `../../..${outside}`],
      ['through checkpoints/..', `checkpoints/../../${runDir.split(sep).pop()}/${best.checkpoint}`],
      ['absolute', outside],
      ['a hidden temporary folder', 'checkpoints/.epoch-0001.tmp-123'],
    ] as const) {
      const copy = runWithCheckpointField(label.replace(/\W+/g, '-'), checkpoint);
      const evaluate = await runTrainer({ args: ['evaluate', copy, '--json'] });
      assert.equal(evaluate.code, 3, `${label}: ${evaluate.stderr}`);
      const error = messagesOfType(evaluate, 'error')[0];
      assert.equal(error.code, 'bad-checkpoint');
      assert.equal(error.message, `${join(copy, BEST_FILE)} names the checkpoint folder ${JSON.stringify(checkpoint)}, which is not a folder under checkpoints/ of its run; it is not read. Delete the run or train again.`);
      const predict = await runTrainer({ args: ['predict', copy, image, '--json'] });
      assert.equal(predict.code, 3, label);
      assert.equal((await readRunFolder(copy))?.best, null, `${label}: the extension does not take it as the run's checkpoint`);
    }
  });

  it('model.json whose weights path leaves the checkpoint folder (to real weights) is refused', async () => {
    for (const [label, weightsPath] of [
      ['relative', '../../../../outside-weights.bin'],
      ['absolute', join(root, 'outside-weights.bin')],
    ] as const) {
      const copy = join(root, 'tampered-weights', label);
      cpSync(runDir, copy, { recursive: true });
      const best = readJson<CheckpointMetadata>(join(copy, BEST_FILE));
      const checkpointDir = join(copy, best.checkpoint);
      cpSync(join(checkpointDir, 'weights.bin'), join(root, 'outside-weights.bin'));
      const model = readJson<{ weightsManifest: { paths: string[] }[] }>(join(checkpointDir, MODEL_FILE));
      model.weightsManifest[0].paths = [weightsPath];
      writeFileSync(join(checkpointDir, MODEL_FILE), JSON.stringify(model));
      const evaluate = await runTrainer({ args: ['evaluate', copy, '--json'] });
      assert.equal(evaluate.code, 3, evaluate.stderr);
      assert.match(messagesOfType(evaluate, 'error')[0].message, new RegExp(`^Cannot load the checkpoint in ${checkpointDir}: weights path ".*" points outside the checkpoint folder\\.$`));
    }
  });

  it('evaluation: the "most confidently wrong" images are files of the data folder; a linked folder to elsewhere is not followed', async () => {
    const testDir = join(root, 'eval-data');
    cpSync(join(data, 'validation'), testDir, { recursive: true });
    cpSync(join(data, 'test'), testDir, { recursive: true });
    const elsewhere = join(root, 'elsewhere', 'images');
    mkdirSync(join(root, 'elsewhere'), { recursive: true });
    cpSync(join(data, 'train', readdirSync(join(data, 'train'))[0]), elsewhere, { recursive: true });
    const [firstClass] = readdirSync(testDir);
    symlinkSync(elsewhere, join(testDir, firstClass, 'linked-folder'));
    const before = statSync(elsewhere).mtimeMs;

    const run = await runTrainer({ args: ['evaluate', runDir, '--data', testDir, '--json'] });
    assert.equal(run.code, 0, run.stderr);
    const evaluation = messagesOfType(run, 'evaluation')[0];
    assert.equal(evaluation.dataDir, testDir);
    assert.ok(evaluation.mostConfidentlyWrong.length > 0, 'the one-epoch model gets some wrong');
    for (const wrong of evaluation.mostConfidentlyWrong) assert.ok(wrong.file.startsWith(testDir + sep), wrong.file);
    assert.ok(evaluation.skipped.some((s) => s.file.endsWith('linked-folder/') && /link to a folder \(not followed\)/.test(s.reason)), JSON.stringify(evaluation.skipped));
    assert.equal(statSync(elsewhere).mtimeMs, before);
    assert.ok(readdirSync(join(runDir)).includes(RUN_FILE));
  });
});
