// scripts/results end to end on small fake run folders: charts (valid 640x480 PNGs), results.json, the markdown
// fragment, one-run mode, and the errors for missing or inconsistent files.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { runResultsCli } from '../../scripts/results/cli';
import { generateResults, type GenerateResult } from '../../scripts/results/generate';
import { ResultsError } from '../../scripts/results/runFolder';

interface FakeRun {
  recipe: 'scratch' | 'augmented';
  plannedEpochs: number;
  status: string;
  loss: (number | null)[];
  accuracy: number[];
  val_loss: number[];
  val_accuracy: number[];
  seconds: number[];
  bestEpoch: number;
  /** confusion[true][predicted], or null for no evaluation.json. */
  confusion: number[][] | null;
  accuracyOverride?: number;
  evaluatedEpoch?: number;
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, JSON.stringify(value, null, 2));
}

function makeRun(dir: string, run: FakeRun): string {
  mkdirSync(dir, { recursive: true });
  const settings = { recipe: run.recipe, epochs: run.plannedEpochs, imageSize: 180, batchSize: 32, learningRate: 0.001, seed: 1337 };
  writeJson(join(dir, 'run.json'), {
    version: 1,
    runId: `fake-${run.recipe}`,
    settings,
    classes: ['cat', 'dog'],
    dataDir: '/nowhere',
    manifestId: null,
    backend: 'wasm',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: null,
    status: run.status,
    message: null,
    skippedFiles: 0,
  });
  writeJson(join(dir, 'history.json'), {
    version: 1,
    history: { loss: run.loss, accuracy: run.accuracy, val_loss: run.val_loss, val_accuracy: run.val_accuracy },
    epochs: run.loss.map((loss, i) => ({ epoch: i + 1, loss, accuracy: run.accuracy[i], val_loss: run.val_loss[i], val_accuracy: run.val_accuracy[i], seconds: run.seconds[i] })),
  });
  const e = run.bestEpoch;
  const checkpoint = `checkpoints/epoch-${String(e).padStart(4, '0')}`;
  writeJson(join(dir, 'best.json'), {
    version: 1,
    runId: `fake-${run.recipe}`,
    checkpoint,
    epoch: e,
    monitor: 'val_loss',
    logs: { loss: run.loss[e - 1], accuracy: run.accuracy[e - 1], val_loss: run.val_loss[e - 1], val_accuracy: run.val_accuracy[e - 1] },
    recipe: run.recipe,
    settings,
    imageSize: 180,
    classes: ['cat', 'dog'],
    manifestId: null,
    savedAt: '2026-01-01T00:00:00.000Z',
  });
  if (run.confusion !== null) {
    const c = run.confusion;
    const count = c.flat().reduce((a, b) => a + b, 0);
    writeJson(join(dir, 'evaluation.json'), {
      type: 'evaluation',
      checkpointDir: join(dir, checkpoint),
      dataDir: '/nowhere/test',
      classes: ['cat', 'dog'],
      count,
      loss: 0.6,
      accuracy: run.accuracyOverride ?? (c[0][0] + c[1][1]) / count,
      confusion: c,
      perClassAccuracy: [c[0][0] / (c[0][0] + c[0][1]), c[1][1] / (c[1][0] + c[1][1])],
      mostConfidentlyWrong: [{ file: 'cat.1.jpg', label: 'cat', predicted: 'dog', confidence: 0.99 }],
      skipped: [],
      epoch: run.evaluatedEpoch ?? e,
      evaluatedAt: '2026-01-01T00:00:00.000Z',
    });
  }
  return dir;
}

/** Model 1: 6 of 6 epochs, val_loss lowest at epoch 3 then rising while training loss falls. */
const SCRATCH: FakeRun = {
  recipe: 'scratch',
  plannedEpochs: 6,
  status: 'completed',
  loss: [0.69, 0.65, 0.58, 0.47, 0.35, 0.21],
  accuracy: [0.53, 0.6, 0.69, 0.78, 0.86, 0.93],
  val_loss: [0.68, 0.64, 0.6, 0.62, 0.66, 0.74],
  val_accuracy: [0.55, 0.62, 0.68, 0.69, 0.68, 0.67],
  seconds: [600, 600, 600, 600, 600, 600],
  bestEpoch: 3,
  confusion: [
    [700, 297],
    [274, 718],
  ],
};

/** Model 2: stopped after 6 of 100 epochs, val_loss still falling; a diverged (null) training loss at epoch 2. */
const AUGMENTED: FakeRun = {
  recipe: 'augmented',
  plannedEpochs: 100,
  status: 'cancelled',
  loss: [0.69, null, 0.64, 0.62, 0.6, 0.58],
  accuracy: [0.52, 0.56, 0.6, 0.64, 0.67, 0.69],
  val_loss: [0.69, 0.66, 0.63, 0.61, 0.6, 0.57],
  val_accuracy: [0.5, 0.58, 0.63, 0.66, 0.68, 0.71],
  seconds: [100, 100, 100, 100, 100, 100.5],
  bestEpoch: 6,
  confusion: [
    [800, 200],
    [150, 850],
  ],
  accuracyOverride: 0.825,
};

let root = '';
const fresh = (name: string) => join(root, name);

before(() => {
  root = mkdtempSync(join(tmpdir(), 'results-tool-'));
});
after(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('npm run results: both runs', () => {
  let result: GenerateResult;
  let out = '';
  let scratchDir = '';
  before(async () => {
    scratchDir = makeRun(fresh('both/scratch'), SCRATCH);
    const augmentedDir = makeRun(fresh('both/augmented'), AUGMENTED);
    out = fresh('both/docs');
    result = await generateResults({ runs: { scratch: scratchDir, augmented: augmentedDir }, outDir: out });
  });

  it('writes four valid 640x480 PNG charts named after model and metric', async () => {
    const expected = ['scratch-accuracy', 'scratch-loss', 'augmented-accuracy', 'augmented-loss'].map((name) => join(out, 'images', `results-${name}.png`));
    assert.deepEqual(result.images, expected);
    for (const file of expected) {
      const bytes = readFileSync(file);
      assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${file} starts with the PNG signature`);
      const meta = await sharp(bytes).metadata();
      assert.equal(meta.format, 'png');
      assert.equal(meta.width, 640);
      assert.equal(meta.height, 480);
      // White background: the top-left corner pixel.
      const { data } = await sharp(bytes).extract({ left: 0, top: 0, width: 1, height: 1 }).raw().toBuffer({ resolveWithObject: true });
      assert.deepEqual([...data.subarray(0, 3)], [255, 255, 255]);
    }
  });

  it('writes results.json from the files: key order, unrounded accuracy, best.json epoch, settings.epochs', () => {
    assert.equal(result.resultsFile, join(out, 'results.json'));
    const text = readFileSync(join(out, 'results.json'), 'utf8');
    const accuracy = (700 + 718) / 1989;
    assert.equal(
      text,
      JSON.stringify({ from_scratch: { test_accuracy: accuracy, best_epoch: 3, epochs: 6 }, augmented: { test_accuracy: 0.825, best_epoch: 6, epochs: 100 } }, null, 2) + '\n',
    );
    const parsed = JSON.parse(text) as Record<string, Record<string, number>>;
    assert.deepEqual(Object.keys(parsed), ['from_scratch', 'augmented']);
    assert.deepEqual(Object.keys(parsed.from_scratch), ['test_accuracy', 'best_epoch', 'epochs']);
    assert.deepEqual(Object.keys(parsed.augmented), ['test_accuracy', 'best_epoch', 'epochs']);
    assert.equal(parsed.from_scratch.test_accuracy, 0.7129210658622424);
    assert.ok(!existsSync(join(out, '.results.json.tmp-' + process.pid)), 'no temporary file left');
  });

  it('prints the comparison table with the runs\' numbers and the seed\'s', () => {
    const md = result.markdown;
    assert.match(md, /^\| \| seed \(Keras\) \| this run \|\n\|---\|---\|---\|\n/);
    const lines = md.split('\n');
    const scratch = lines.indexOf('| **Model 1, from scratch** | | |');
    const augmented = lines.indexOf('| **Model 2, augmentation + dropout** | | |');
    assert.ok(scratch > 0 && augmented > scratch);
    assert.deepEqual(lines.slice(scratch + 1, scratch + 6), [
      '| test accuracy | 0.690 | 0.713 (1,418 / 1,989) |',
      '| best epoch (lowest val_loss) | 5 | 3 |',
      '| epochs | 30 | 6 |',
      '| total wall time (h:mm) | ~0:03 (5-6 s/epoch, Colab GPU) | 1:00 |',
      '| test images | 2,000 | 1,989 |',
    ]);
    assert.deepEqual(lines.slice(augmented + 1, augmented + 6), [
      '| test accuracy | 0.829 | 0.825 (1,650 / 2,000) |',
      '| best epoch (lowest val_loss) | 41 | 6 |',
      '| epochs | 100 | 6 of 100 (run cancelled) |',
      '| total wall time (h:mm) | ~0:10 (~6 s/epoch, Colab GPU) | 0:10 |',
      '| test images | 2,000 | 2,000 |',
    ]);
  });

  it('prints each confusion matrix with class names, the lowest val_loss and the overfitting line', () => {
    const md = result.markdown;
    assert.ok(
      md.includes(['| true \\ predicted | cat | dog | accuracy |', '|---|---|---|---|', '| cat | 700 | 297 | 0.702 |', '| dog | 274 | 718 | 0.724 |'].join('\n')),
    );
    assert.ok(md.includes(['| cat | 800 | 200 | 0.800 |', '| dog | 150 | 850 | 0.850 |'].join('\n')));
    assert.ok(md.includes('Lowest val_loss: epoch 3 (0.6000, val_accuracy 0.680).'));
    assert.ok(
      md.includes('Overfitting starts after epoch 3: val_loss stays above its minimum (0.6000) for the remaining 3 epochs while training loss falls from 0.5800 to 0.2100.'),
    );
    assert.ok(md.includes('Lowest val_loss: epoch 6 (0.5700, val_accuracy 0.710).'));
    assert.ok(md.includes('Overfitting not seen: val_loss is at its lowest in the last epoch (6).'));
    assert.ok(md.includes('![Model 1, from scratch: training and validation accuracy](images/results-scratch-accuracy.png)'));
    assert.ok(result.notes.some((note) => note.includes('6 of 100 epochs')));
  });
});

describe('npm run results: one run', () => {
  it('writes only that run\'s charts, prints its fragment and says results.json needs both', async () => {
    const dir = makeRun(fresh('one/scratch'), SCRATCH);
    const out = fresh('one/docs');
    const result = await generateResults({ runs: { scratch: dir }, outDir: out });
    assert.equal(result.images.length, 2);
    assert.equal(result.resultsFile, null);
    assert.ok(!existsSync(join(out, 'results.json')));
    assert.ok(!existsSync(join(out, 'images', 'results-augmented-loss.png')));
    assert.ok(result.notes.some((note) => /results\.json was not written.*needs --scratch and --augmented/.test(note)));
    assert.ok(result.markdown.includes('Model 1, from scratch'));
    assert.ok(!result.markdown.includes('Model 2'));
  });
});

describe('npm run results: errors', () => {
  it('names evaluation.json and the evaluate command when it is missing, and writes nothing', async () => {
    const dir = makeRun(fresh('noeval/scratch'), { ...SCRATCH, confusion: null });
    const augmented = makeRun(fresh('noeval/augmented'), AUGMENTED);
    const out = fresh('noeval/docs');
    await assert.rejects(generateResults({ runs: { scratch: dir, augmented }, outDir: out }), (error: unknown) => {
      assert.ok(error instanceof ResultsError);
      assert.ok(error.message.includes(join(dir, 'evaluation.json')), error.message);
      assert.ok(error.message.includes(`node dist/trainer/main.js evaluate ${dir}`), error.message);
      return true;
    });
    assert.ok(!existsSync(out), 'nothing written when a folder is incomplete');
  });

  it('refuses an evaluation of another checkpoint than best.json\'s', async () => {
    const dir = makeRun(fresh('stale/scratch'), { ...SCRATCH, evaluatedEpoch: 2 });
    await assert.rejects(generateResults({ runs: { scratch: dir }, outDir: fresh('stale/docs') }), /evaluation of the checkpoint of epoch 2, but .*best\.json names epoch 3/);
  });

  it('refuses a run of the other recipe and a malformed history, naming the file', async () => {
    const augmented = makeRun(fresh('swap/augmented'), AUGMENTED);
    await assert.rejects(generateResults({ runs: { scratch: augmented }, outDir: fresh('swap/docs') }), /run\.json is a run of the "augmented" recipe, not "scratch"/);
    const bad = makeRun(fresh('bad/scratch'), SCRATCH);
    const history = JSON.parse(readFileSync(join(bad, 'history.json'), 'utf8')) as { history: { val_loss: number[] } };
    history.history.val_loss.pop();
    writeJson(join(bad, 'history.json'), history);
    await assert.rejects(generateResults({ runs: { scratch: bad }, outDir: fresh('bad/docs') }), (error: unknown) => {
      assert.ok(error instanceof ResultsError);
      assert.match(error.message, /history\.json is not a valid history\.json: "history\.val_loss" has 5 values but "epochs" has 6 entries/);
      return true;
    });
  });

  it('the command line: exit 1 with the message for a run folder problem, 2 for bad arguments, 0 and markdown on stdout', async () => {
    const capture = () => {
      const io = { stdout: '', stderr: '' };
      return { io, write: { stdout: (t: string) => (io.stdout += t), stderr: (t: string) => (io.stderr += t) } };
    };
    const dir = makeRun(fresh('cli/scratch'), { ...SCRATCH, confusion: null });
    let c = capture();
    assert.equal(await runResultsCli({ argv: ['--scratch', 'cli/scratch'], cwd: root, defaultOut: fresh('cli/docs'), ...c.write }), 1);
    assert.match(c.io.stderr, /evaluation\.json not found.*node dist\/trainer\/main\.js evaluate/);
    assert.ok(c.io.stderr.includes(dir));
    assert.equal(c.io.stdout, '');

    c = capture();
    assert.equal(await runResultsCli({ argv: [], cwd: root, defaultOut: fresh('cli/docs'), ...c.write }), 2);
    assert.match(c.io.stderr, /Give at least one run folder[\s\S]*Usage: npm run results/);
    c = capture();
    assert.equal(await runResultsCli({ argv: ['--scratch'], cwd: root, defaultOut: fresh('cli/docs'), ...c.write }), 2);

    makeRun(fresh('cli/ok'), SCRATCH);
    c = capture();
    assert.equal(await runResultsCli({ argv: ['--scratch', 'cli/ok', '--out', 'cli/out'], cwd: root, defaultOut: fresh('cli/unused'), ...c.write }), 0);
    assert.match(c.io.stdout, /^\| \| seed \(Keras\) \| this run \|/);
    assert.ok(existsSync(join(root, 'cli/out/images/results-scratch-loss.png')));
    assert.ok(!existsSync(fresh('cli/unused')));
    assert.match(c.io.stderr, /results\.json was not written/);
  });
});
