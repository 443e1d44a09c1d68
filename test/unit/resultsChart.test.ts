// scripts/results: the learning-curve SVG (points, vertices, axis ranges, best-epoch marker, NaN) and its axis scales.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axisScale } from '../../scripts/results/axisScale';
import { learningCurveLayout, learningCurveSvg, type LearningCurveChart } from '../../scripts/results/chartSvg';

function chart(overrides: Partial<LearningCurveChart> = {}): LearningCurveChart {
  return {
    title: 'Training and validation accuracy',
    yLabel: 'Accuracy',
    training: { label: 'Training accuracy', values: [0.52, 0.58, 0.66, 0.74, 0.83, 0.91] },
    validation: { label: 'Validation accuracy', values: [0.5, 0.57, 0.63, 0.68, 0.66, 0.67] },
    bestEpoch: 4,
    ...overrides,
  };
}

/** The inside of <g class="NAME" ...>...</g>. */
function group(svg: string, name: string): string {
  const match = new RegExp(`<g class="${name}"[^>]*>([\\s\\S]*?)</g>`).exec(svg);
  assert.ok(match, `group ${name} in the SVG`);
  return match[1];
}

function circles(svg: string): { cx: number; cy: number }[] {
  return [...group(svg, 'training').matchAll(/<circle cx="([^"]+)" cy="([^"]+)"/g)].map((m) => ({ cx: Number(m[1]), cy: Number(m[2]) }));
}

function polylines(svg: string): [number, number][][] {
  return [...group(svg, 'validation').matchAll(/<polyline points="([^"]+)"/g)].map((m) =>
    m[1].split(' ').map((pair) => pair.split(',').map(Number) as [number, number]),
  );
}

describe('learning-curve SVG', () => {
  it('draws one training dot per epoch and one validation vertex per epoch, inside the axes', () => {
    const svg = learningCurveSvg(chart());
    const { plot } = learningCurveLayout(chart());
    const dots = circles(svg);
    const lines = polylines(svg);
    assert.equal(dots.length, 6);
    assert.equal(lines.length, 1);
    assert.equal(lines[0].length, 6);
    for (const { cx, cy } of dots) {
      assert.ok(cx > plot.left && cx < plot.right && cy > plot.top && cy < plot.bottom, `dot ${cx},${cy} inside the axes`);
    }
    for (const [x, y] of lines[0]) assert.ok(x > plot.left && x < plot.right && y > plot.top && y < plot.bottom, `vertex ${x},${y} inside the axes`);
    // Epochs go left to right, one x per epoch, shared by dots and line.
    assert.deepEqual(
      dots.map(({ cx }) => cx),
      lines[0].map(([x]) => x),
    );
    assert.ok(dots.every((dot, i) => i === 0 || dot.cx > dots[i - 1].cx));
    // Higher value, higher on the page (smaller y).
    assert.ok(dots[5].cy < dots[0].cy);
  });

  it('has axis ranges that contain all the data, with ticks inside them', () => {
    const layout = learningCurveLayout(chart());
    const values = [...chart().training.values, ...chart().validation.values];
    assert.ok(layout.y.min < Math.min(...values) && layout.y.max > Math.max(...values));
    assert.ok(layout.x.min < 1 && layout.x.max > 6);
    assert.deepEqual(layout.x.ticks, [1, 2, 3, 4, 5, 6]);
    for (const axis of [layout.x, layout.y]) {
      assert.ok(axis.ticks.length >= 3);
      assert.ok(axis.ticks.every((tick) => tick >= axis.min && tick <= axis.max));
    }
  });

  it('is a 640x480 white figure with the seed\'s title, labels and legend', () => {
    const svg = learningCurveSvg(chart());
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="640" height="480"/);
    assert.match(svg, /<rect class="background" x="0" y="0" width="640" height="480" fill="#ffffff"\/>/);
    assert.match(svg, /font-family="DejaVu Sans, sans-serif"/);
    assert.match(svg, />Training and validation accuracy</);
    assert.match(svg, />Epochs</);
    assert.match(svg, />Accuracy</);
    const legend = group(svg, 'legend');
    assert.match(legend, />Training accuracy</);
    assert.match(legend, />Validation accuracy</);
    assert.match(svg, /<g class="training"[^>]*fill="#0000ff"/, "training is blue dots ('bo')");
    assert.match(svg, /<g class="validation"[^>]*stroke="#0000ff"/, "validation is a blue line ('b')");
  });

  it('marks the best epoch with a dashed vertical line labelled "best (epoch E)"', () => {
    const svg = learningCurveSvg(chart({ bestEpoch: 4 }));
    const { plot } = learningCurveLayout(chart());
    const marker = /<line class="best-epoch" data-epoch="4" x1="([^"]+)" y1="([^"]+)" x2="([^"]+)" y2="([^"]+)"[^>]*stroke-dasharray/.exec(svg);
    assert.ok(marker, 'a dashed best-epoch line');
    const [x1, y1, x2, y2] = marker.slice(1).map(Number);
    assert.equal(x1, x2, 'vertical');
    assert.equal(x1, circles(svg)[3].cx, 'at epoch 4');
    assert.deepEqual([y1, y2], [Number(plot.top.toFixed(2)), Number(plot.bottom.toFixed(2))]);
    assert.match(group(svg, 'legend'), />best \(epoch 4\)</);

    const none = learningCurveSvg(chart({ bestEpoch: null }));
    assert.doesNotMatch(none, /best-epoch|best \(epoch/);
  });

  it('skips NaN and Infinity safely: no dot, the line breaks, the axes stay finite', () => {
    const svg = learningCurveSvg(
      chart({
        training: { label: 'Training loss', values: [0.69, Number.NaN, 0.6, Number.POSITIVE_INFINITY, 0.4, 0.3] },
        validation: { label: 'Validation loss', values: [0.7, 0.65, Number.NaN, 0.6, 0.62, 0.66] },
      }),
    );
    assert.doesNotMatch(svg, /NaN|Infinity/);
    assert.equal(circles(svg).length, 4);
    assert.deepEqual(
      polylines(svg).map((line) => line.length),
      [2, 3],
    );
    const layout = learningCurveLayout(chart({ training: { label: 't', values: [0.69, Number.NaN, 0.6, Number.POSITIVE_INFINITY, 0.4, 0.3] } }));
    assert.ok(Number.isFinite(layout.y.min) && Number.isFinite(layout.y.max) && layout.y.max < 1);

    const empty = learningCurveSvg(chart({ training: { label: 't', values: [Number.NaN, Number.NaN] }, validation: { label: 'v', values: [Number.NaN, Number.NaN] } }));
    assert.doesNotMatch(empty, /NaN|Infinity/);
    assert.equal(circles(empty).length, 0);
    assert.equal(polylines(empty).length, 0);
  });

  it('escapes text for XML', () => {
    const svg = learningCurveSvg(chart({ title: 'Loss & <accuracy>' }));
    assert.match(svg, />Loss &amp; &lt;accuracy&gt;</);
  });
});

describe('axis scales (matplotlib-like)', () => {
  it('picks round ticks: 30 epochs by 5, 100 epochs by 20, accuracy by 0.1 or 0.05', () => {
    const epochs = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    assert.deepEqual(axisScale({ values: epochs(30), integer: true }).ticks, [0, 5, 10, 15, 20, 25, 30]);
    assert.deepEqual(axisScale({ values: epochs(100), integer: true }).ticks, [0, 20, 40, 60, 80, 100]);
    const accuracy = axisScale({ values: [0.5, 1.0] });
    assert.deepEqual(accuracy.ticks, [0.5, 0.6, 0.7, 0.8, 0.9, 1.0]);
    assert.equal(accuracy.decimals, 1);
    const narrow = axisScale({ values: [0.5, 0.75] });
    assert.deepEqual(narrow.ticks, [0.5, 0.55, 0.6, 0.65, 0.7, 0.75]);
    assert.equal(narrow.decimals, 2);
  });

  it('widens a single value and falls back when there is none', () => {
    const one = axisScale({ values: [0.7] });
    assert.ok(one.min < 0.7 && one.max > 0.7);
    const oneEpoch = axisScale({ values: [1], integer: true });
    assert.ok(oneEpoch.min < 1 && oneEpoch.max > 1 && oneEpoch.ticks.includes(1));
    const none = axisScale({ values: [Number.NaN] });
    assert.deepEqual([none.min, none.max], [0, 1]);
  });
});
