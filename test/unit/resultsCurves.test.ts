// scripts/results: lowest val_loss, the "overfitting starts" indicator on crafted curves, wall time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatHoursMinutes, lowestValLossEpoch, overfittingOnset, totalSeconds } from '../../scripts/results/curves';

describe('lowest val_loss epoch', () => {
  it('is the first epoch at the minimum (Keras keeps the first on a tie), ignoring NaN', () => {
    assert.equal(lowestValLossEpoch([0.7, 0.6, 0.55, 0.58, 0.55, 0.6]), 3);
    assert.equal(lowestValLossEpoch([Number.NaN, 0.6, Number.NaN, 0.5]), 4);
    assert.equal(lowestValLossEpoch([Number.NaN]), null);
    assert.equal(lowestValLossEpoch([]), null);
  });
});

describe('overfitting onset', () => {
  it('finds the classic from-scratch shape: val_loss bottoms out, then rises while training loss falls', () => {
    const onset = overfittingOnset({
      loss: [0.69, 0.66, 0.6, 0.52, 0.43, 0.33, 0.22, 0.12],
      val_loss: [0.69, 0.66, 0.62, 0.59, 0.6, 0.63, 0.7, 0.85],
    });
    assert.deepEqual(onset, { found: true, epoch: 4, minValLoss: 0.59, epochsAfter: 4, trainLossAtOnset: 0.52, trainLossAtEnd: 0.12 });
  });

  it('takes the last epoch at the minimum when val_loss touches it again (it must stay above it afterwards)', () => {
    const onset = overfittingOnset({ loss: [0.7, 0.6, 0.5, 0.4, 0.3, 0.2], val_loss: [0.7, 0.55, 0.6, 0.55, 0.62, 0.7] });
    assert.equal(onset.found && onset.epoch, 4);
  });

  it('accepts a noisy (augmented) training loss that falls overall', () => {
    const onset = overfittingOnset({ loss: [0.69, 0.6, 0.62, 0.55, 0.57, 0.5, 0.52], val_loss: [0.69, 0.6, 0.55, 0.5, 0.52, 0.53, 0.51] });
    assert.ok(onset.found);
    assert.equal(onset.epoch, 4);
    assert.equal(onset.epochsAfter, 3);
  });

  it('finds none while val_loss is still at its lowest in the last epoch', () => {
    assert.deepEqual(overfittingOnset({ loss: [0.7, 0.6, 0.5, 0.4], val_loss: [0.7, 0.65, 0.66, 0.6] }), { found: false, reason: 'lowest-at-end' });
    // A NaN after the minimum is not a rise.
    assert.deepEqual(overfittingOnset({ loss: [0.7, 0.6, 0.5], val_loss: [0.7, 0.6, Number.NaN] }), { found: false, reason: 'lowest-at-end' });
  });

  it('finds none when training loss does not fall after the minimum (that is not overfitting)', () => {
    assert.deepEqual(overfittingOnset({ loss: [0.7, 0.6, 0.65, 0.7], val_loss: [0.7, 0.6, 0.65, 0.7] }), { found: false, reason: 'training-loss-not-falling' });
  });

  it('skips NaN values and handles a history without validation loss', () => {
    const onset = overfittingOnset({ loss: [0.7, Number.NaN, 0.5, 0.4, Number.NaN], val_loss: [0.7, Number.NaN, 0.5, 0.6, 0.7] });
    assert.deepEqual(onset, { found: true, epoch: 3, minValLoss: 0.5, epochsAfter: 2, trainLossAtOnset: 0.5, trainLossAtEnd: 0.4 });
    assert.deepEqual(overfittingOnset({ loss: [0.7], val_loss: [Number.NaN] }), { found: false, reason: 'no-validation-loss' });
  });
});

describe('wall time', () => {
  it('sums the epochs\' seconds and writes h:mm rounded to the minute', () => {
    assert.equal(totalSeconds([{ seconds: 83.5 }, { seconds: 90 }, { seconds: Number.NaN }]), 173.5);
    assert.equal(formatHoursMinutes(0), '0:00');
    assert.equal(formatHoursMinutes(29), '0:00');
    assert.equal(formatHoursMinutes(1176.6), '0:20');
    assert.equal(formatHoursMinutes(3 * 3600 + 5 * 60 + 10), '3:05');
    assert.equal(formatHoursMinutes(5 * 3600 + 59 * 60 + 40), '6:00');
  });
});
