// The trainer names settings by their command-line flags in parentheses; the editor shows the same messages
// with the place it sets each value (src/shared/settingWords.ts). The real messages of the trainer are used.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import { BACKEND_REQUESTS } from '../../src/shared/backends';
import { EDITOR_PLACE_OF_FLAG, flagNote, inEditorWords } from '../../src/shared/settingWords';
import { checkTrainingMemory } from '../../src/trainer/train/memoryEstimate';
import { classifyTrainerExit } from '../../src/extension/trainer/trainerOutcome';

const GB = 1e9;

describe('setting words: flags on the command line, the editor\'s places in the editor', () => {
  test('a memory refusal names the batch size, image size and split; in the editor by where the editor sets them', () => {
    const check = checkTrainingMemory({
      input: { imageSize: 512, batchSize: 64, trainCount: 2000, validationCount: 1000, numClasses: 2, replicas: 1 },
      machine: { totalBytes: 8 * GB, freeBytes: 6 * GB },
      wasm: false,
    });
    const message = check.error?.message ?? '';
    assert.match(message, /Lower the batch size to \d+ or less \(--batch-size\), or the image size \(--image-size\): memory grows with its square; or train on fewer images, with a smaller split \(--split\)\.$/);
    const shown = inEditorWords(message);
    assert.doesNotMatch(shown, /--[a-z]/, `no command-line flag left: ${shown}`);
    assert.match(shown, /Lower the batch size to \d+ or less \(Custom… in Train Small Convnet\), or the image size \(Custom… in Train Small Convnet\): memory grows with its square; or train on fewer images, with a smaller split \(Custom split… in Train Small Convnet\)\.$/);
  });

  test('only "(--flag)" of a known setting changes: other parentheses, flags in running text and unknown flags stay', () => {
    assert.equal(inEditorWords('Choose auto (--backend) (or not) and --backend elsewhere (--verbose).'), 'Choose auto (the smallConvnet.backend setting) (or not) and --backend elsewhere (--verbose).');
    for (const flag of Object.keys(EDITOR_PLACE_OF_FLAG) as (keyof typeof EDITOR_PLACE_OF_FLAG)[]) {
      assert.equal(inEditorWords(`x ${flagNote(flag)}`), `x (${EDITOR_PLACE_OF_FLAG[flag]})`);
    }
  });

  test('a failed training, as the notification words it: the setting, not the flag', () => {
    const outcome = classifyTrainerExit({
      code: 4,
      signal: null,
      done: { type: 'done', command: 'train', status: 'failed', exitCode: 4, seconds: 0.1 },
      error: { type: 'error', code: 'backend-unavailable', message: `The backend "webgpu" (--backend) is not available here: no adapter. Choose auto (--backend) to take the fastest one that loads.` },
      spawnError: null,
      stopEscalation: null,
      stderrTail: [],
    });
    assert.equal(outcome.kind, 'failed');
    assert.equal(outcome.summary, 'The backend "webgpu" (the smallConvnet.backend setting) is not available here: no adapter. Choose auto (the smallConvnet.backend setting) to take the fastest one that loads.');
    assert.ok(BACKEND_REQUESTS.includes('auto'), 'auto is a value of the setting');
  });
});
