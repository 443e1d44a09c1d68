import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeMessage, parseControlMessage, parseTrainerMessage, type TrainerMessage } from '../../src/shared/trainerProtocol';

describe('trainer protocol', () => {
  it('round-trips every message through one JSON line', () => {
    const message: TrainerMessage = { type: 'epoch-end', epoch: 3, epochs: 30, logs: { loss: 0.5, accuracy: 0.75, val_loss: 0.6, val_accuracy: 0.7 }, seconds: 12.5 };
    const line = encodeMessage(message);
    assert.ok(line.endsWith('\n'));
    assert.equal(line.indexOf('\n'), line.length - 1, 'exactly one line');
    assert.deepEqual(parseTrainerMessage(line), message);
  });

  it('ignores lines that are not protocol messages', () => {
    for (const line of ['', 'Epoch 1/30', '{not json', '[1,2]', '{"no":"type"}', '{"type":42}', '{"type":"bogus"}', 'null']) {
      assert.equal(parseTrainerMessage(line), undefined, line);
    }
  });

  it('parses cancel and nothing else on the control channel', () => {
    assert.deepEqual(parseControlMessage('{"type":"cancel"}'), { type: 'cancel' });
    assert.deepEqual(parseControlMessage('  {"type":"cancel","extra":1}  '), { type: 'cancel' });
    assert.equal(parseControlMessage('cancel'), undefined);
    assert.equal(parseControlMessage('{"type":"epoch-end"}'), undefined);
  });
});
