/**
 * The contract between the host and the trainer's CLI (issue 14, item 2): for any settings the host can produce
 * (every value its input boxes accept, at the edges of SETTING_LIMITS and in between, both recipes, every backend),
 * `parseCommandLine(['train', ...trainArgs(x)])` gives back x; and the input boxes accept exactly the range the
 * CLI and run.json's shape accept.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BACKEND_REQUESTS } from '../../src/shared/backends';
import { RECIPE_IDS, SETTING_LIMITS, trainSettingsSchema, type TrainSettings } from '../../src/shared/recipes';
import { parse } from '../../src/shared/schema';
import { NUMERIC_FIELDS, parseNumericSetting } from '../../src/extension/train/recipeInputs';
import { resumeArgs, trainArgs } from '../../src/extension/trainer/trainerArgs';
import { parseCommandLine } from '../../src/trainer/cli/args';

/** Values of a setting the host may send: both edges, a value inside, and (for a fraction) an awkward one. */
function valuesOf(limits: { integer: boolean; min: number; max: number }): number[] {
  const middle = limits.integer ? Math.round((limits.min + limits.max) / 3) : 0.000123456789;
  return [limits.min, middle, limits.max];
}

function settingsToTry(): TrainSettings[] {
  const out: TrainSettings[] = [];
  for (const recipe of RECIPE_IDS) {
    for (let i = 0; i < 3; i++) {
      out.push({
        recipe,
        epochs: valuesOf(SETTING_LIMITS.epochs)[i],
        imageSize: valuesOf(SETTING_LIMITS.imageSize)[i],
        batchSize: valuesOf(SETTING_LIMITS.batchSize)[(i + 1) % 3],
        learningRate: valuesOf(SETTING_LIMITS.learningRate)[(i + 2) % 3],
        seed: valuesOf(SETTING_LIMITS.seed)[i],
      });
    }
  }
  return out;
}

test('train: every settings x the host can produce parses back into x (data, work folder, backend, workers too)', () => {
  for (const settings of settingsToTry()) {
    assert.ok(parse(trainSettingsSchema, settings), `the settings fit run.json's shape: ${JSON.stringify(settings)}`);
    for (const backend of BACKEND_REQUESTS) {
      for (const workers of [0, SETTING_LIMITS.workers.min, SETTING_LIMITS.workers.max]) {
        const args = trainArgs({ data: '/data/prepared', workFolder: '/work folder/small-convnet-work', settings, backend, workers });
        const parsed = parseCommandLine(['train', ...args]);
        assert.equal(parsed.command, 'train');
        if (parsed.command !== 'train') return;
        const { recipe, epochs, imageSize, batchSize, learningRate, seed } = parsed;
        assert.deepEqual({ recipe, epochs, imageSize, batchSize, learningRate, seed }, settings, args.join(' '));
        assert.equal(parsed.data, '/data/prepared');
        assert.equal(parsed.out, '/work folder/small-convnet-work');
        assert.equal(parsed.backend, backend);
        assert.equal(parsed.workers, workers === 0 ? undefined : workers);
      }
    }
  }
});

test('resume: the run folder, backend and workers parse back', () => {
  const parsed = parseCommandLine(['resume', ...resumeArgs({ runDir: '/work/runs/r 1', backend: 'wasm', workers: 2 })]);
  assert.ok(parsed.command === 'resume');
  assert.equal(parsed.run, '/work/runs/r 1');
  assert.equal(parsed.backend, 'wasm');
  assert.equal(parsed.workers, 2);
});

test("the input boxes accept exactly SETTING_LIMITS' range, as the CLI does", () => {
  for (const field of NUMERIC_FIELDS) {
    const limits = SETTING_LIMITS[field.key];
    assert.deepEqual({ integer: field.integer, min: field.min, max: field.max }, limits, field.key);
    for (const value of valuesOf(limits)) assert.deepEqual(parseNumericSetting(field, String(value)), { value }, `${field.key} ${value}`);
    const below = limits.integer ? limits.min - 1 : limits.min / 10;
    const above = limits.integer ? limits.max + 1 : limits.max * 10;
    for (const value of [below, above]) {
      assert.ok('error' in parseNumericSetting(field, String(value)), `${field.key} ${value} is refused by the input box`);
      const flag = { epochs: '--epochs', imageSize: '--image-size', batchSize: '--batch-size', learningRate: '--learning-rate', seed: '--seed' }[field.key];
      // The CLI parses any positive image size and lets the model refuse it with why (checkImageSize); other settings are refused here.
      if (field.key === 'imageSize' && value === below) continue;
      assert.throws(() => parseCommandLine(['train', '/data', flag, String(value)]), /is not valid/, `${flag} ${value} is refused by the CLI`);
    }
  }
});
