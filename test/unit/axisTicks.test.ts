/** One tick rule (src/shared/axisTicks.ts) for the panel's charts and the results figures. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decimalsOf, niceStep, niceTicks, ticksAt } from '../../src/shared/axisTicks';
import { niceRange } from '../../webview-ui/chartModel';
import { axisScale } from '../../scripts/results/axisScale';

describe('axis ticks', () => {
  it('nice steps are 1, 2, 2.5, 5 x 10^k, the smallest at least the raw step; whole numbers for epochs', () => {
    assert.deepEqual([0.07, 0.1, 0.11, 0.21, 0.3, 0.6, 3, 40].map((raw) => niceStep(raw)), [0.1, 0.1, 0.2, 0.25, 0.5, 1, 5, 50]);
    assert.equal(niceStep(0.3, { integer: true }), 1);
    assert.equal(niceStep(2.2, { integer: true }), 5, '2.5 is not a whole number');
    assert.equal(niceStep(0), 1);
    assert.equal(niceStep(Number.NaN), 1);
  });

  it('ticks are exact multiples, without float drift', () => {
    assert.deepEqual(ticksAt(0, 0.5, 0.1), [0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    assert.deepEqual(ticksAt(0.25, 1.1, 0.25), [0.25, 0.5, 0.75, 1]);
    assert.deepEqual(niceTicks({ min: 0, max: 30, maxIntervals: 9, integer: true }).ticks, [0, 5, 10, 15, 20, 25, 30]);
    assert.deepEqual([0.25, 5, 0.1, 2.5].map(decimalsOf), [2, 0, 1, 1]);
  });

  it('the panel\'s chart range snaps to the same steps as the results figures use', () => {
    const panel = niceRange(0.5, 0.75, 5);
    assert.deepEqual(panel, { min: 0.5, max: 0.75, ticks: [0.5, 0.55, 0.6, 0.65, 0.7, 0.75] });
    assert.equal(niceRange(0.52, 0.9, 5).ticks[1] - niceRange(0.52, 0.9, 5).ticks[0] > 0, true);
    const figure = axisScale({ values: [0.5, 0.75] });
    const stepOf = (ticks: number[]) => Number((ticks[1] - ticks[0]).toPrecision(6));
    assert.ok([0.025, 0.05].includes(stepOf(figure.ticks)), `a step of the shared rule: ${stepOf(figure.ticks)}`);
    assert.equal(stepOf(panel.ticks), niceStep((0.75 - 0.5) / 5));
  });
});
