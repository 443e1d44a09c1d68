/** "Use this model" snippets (src/shared/exportSnippets.ts): each names the file, the input size and the class order. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EXPORT_FORMAT_IDS } from '../../src/shared/exportFormats';
import { usageSnippets } from '../../src/shared/exportSnippets';
import { exportArgs } from '../../src/extension/trainer/trainerArgs';

describe('export snippets', () => {
  it('every format has a snippet naming the exported path, the size and the classes in order', () => {
    for (const format of EXPORT_FORMAT_IDS) {
      const snippets = usageSnippets({ format, path: '/w/exports/run-1.x', classes: ['cat', 'dog'], imageSize: 180 });
      assert.ok(snippets.length >= 1, format);
      for (const snippet of snippets) {
        assert.ok(snippet.text.includes('"/w/exports/run-1.x"'), `${format}: the path`);
        assert.ok(snippet.text.includes('["cat","dog"]'), `${format}: the class order`);
        assert.match(snippet.text, /180/, `${format}: the input size`);
        assert.match(snippet.text, /0\.\.255/, `${format}: the pixel range the model expects`);
      }
    }
    assert.deepEqual(usageSnippets({ format: 'onnx', path: '/m.onnx', classes: ['a', 'b'], imageSize: 94 }).map((s) => s.language), ['python', 'javascript']);
  });

  it('a binary model says its one sigmoid unit is the second class\'s probability; a softmax model reads all', () => {
    const keras = usageSnippets({ format: 'keras', path: '/m.keras', classes: ['cat', 'dog'], imageSize: 180 })[0].text;
    assert.match(keras, /one sigmoid unit: the probability of "dog"/);
    assert.match(keras, /\[1 - p, p\]/);
    const three = usageSnippets({ format: 'h5', path: '/m.h5', classes: ['a', 'b', 'c'], imageSize: 94 })[0].text;
    assert.match(three, /softmax, in CLASSES order/);
    assert.match(three, /from tensorflow import keras/, 'the legacy file is for tf.keras');
  });

  it('the editor asks the trainer with --force (its save dialog already asked before replacing)', () => {
    assert.deepEqual(exportArgs({ checkpoint: '/w/runs/r', format: 'onnx', out: '/tmp/m.onnx' }), ['/w/runs/r', '--format', 'onnx', '--out', '/tmp/m.onnx', '--force']);
  });
});
