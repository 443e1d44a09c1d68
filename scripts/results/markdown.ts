/** The markdown fragment for docs/results.md: seed vs this run, confusion matrices, lowest val_loss, overfitting. Pure. */
import { formatHoursMinutes, lowestValLossEpoch, overfittingOnset, totalSeconds, type OverfittingOnset } from './curves';
import { chartPath, MODEL_KEYS, MODELS, type ModelKey } from './models';
import type { RunData } from './runFolder';

export type RunsByModel = Partial<Record<ModelKey, RunData>>;

const count = (n: number): string => n.toLocaleString('en-US');

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** A table row; an empty cell is written "| |" (the page's style: "| | seed (Keras) | this run |"). */
function row(cells: readonly string[]): string {
  return `|${cells.map((text) => (text === '' ? ' ' : ` ${text} `)).join('|')}|`;
}

function separator(columns: number): string {
  return `|${Array.from({ length: columns }, () => '---').join('|')}|`;
}

function correctCount(run: RunData): number {
  return run.evaluation.confusion.reduce((sum, counts, i) => sum + (counts[i] ?? 0), 0);
}

function epochsCell(run: RunData): string {
  const done = run.history.loss.length;
  const planned = run.run.settings.epochs;
  return done === planned ? String(planned) : `${done} of ${planned} (run ${run.run.status})`;
}

function bestEpochCell(run: RunData): string {
  const lowest = lowestValLossEpoch(run.history.val_loss);
  return lowest === null || lowest === run.best.epoch ? String(run.best.epoch) : `${run.best.epoch} (history's lowest val_loss: ${lowest})`;
}

/** The comparison table, one block of rows per model given. */
export function comparisonTable(runs: RunsByModel): string {
  const lines = [row(['', 'seed (Keras)', 'this run']), separator(3)];
  for (const key of MODEL_KEYS) {
    const run = runs[key];
    if (run === undefined) continue;
    const { seed, title } = MODELS[key];
    lines.push(
      row([`**${title}**`, '', '']),
      row(['test accuracy', seed.testAccuracy, `${run.evaluation.accuracy.toFixed(3)} (${count(correctCount(run))} / ${count(run.evaluation.count)})`]),
      row(['best epoch (lowest val_loss)', seed.bestEpoch, bestEpochCell(run)]),
      row(['epochs', seed.epochs, epochsCell(run)]),
      row(['total wall time (h:mm)', seed.wallTime, formatHoursMinutes(totalSeconds(run.history.seconds.map((seconds) => ({ seconds }))))]),
      row(['test images', seed.testImages, count(run.evaluation.count)]),
    );
  }
  return lines.join('\n');
}

/** confusion[true][predicted] as a table with the class names and each class's accuracy. */
export function confusionTable(run: RunData): string {
  const { classes, confusion, perClassAccuracy } = run.evaluation;
  const lines = [row(['true \\ predicted', ...classes.map(cell), 'accuracy']), separator(classes.length + 2)];
  classes.forEach((name, i) => {
    const accuracy = perClassAccuracy[i];
    lines.push(row([cell(name), ...confusion[i].map(count), Number.isFinite(accuracy) ? accuracy.toFixed(3) : 'n/a']));
  });
  return lines.join('\n');
}

/** "Lowest val_loss: epoch 6 (0.6244, val_accuracy 0.634)." */
export function lowestValLossLine(run: RunData): string {
  const epoch = lowestValLossEpoch(run.history.val_loss);
  if (epoch === null) return 'Lowest val_loss: none recorded.';
  return `Lowest val_loss: epoch ${epoch} (${run.history.val_loss[epoch - 1].toFixed(4)}, val_accuracy ${run.history.val_accuracy[epoch - 1].toFixed(3)}).`;
}

/** The one-line overfitting indicator. */
export function overfittingLine(onset: OverfittingOnset, epochs: number): string {
  if (onset.found) {
    const rest = onset.epochsAfter === 1 ? 'the last epoch' : `the remaining ${onset.epochsAfter} epochs`;
    return (
      `Overfitting starts after epoch ${onset.epoch}: val_loss stays above its minimum (${onset.minValLoss.toFixed(4)}) for ${rest} ` +
      `while training loss falls from ${onset.trainLossAtOnset.toFixed(4)} to ${onset.trainLossAtEnd.toFixed(4)}.`
    );
  }
  switch (onset.reason) {
    case 'lowest-at-end':
      return `Overfitting not seen: val_loss is at its lowest in the last epoch (${epochs}).`;
    case 'training-loss-not-falling':
      return 'Overfitting not seen: val_loss rises after its minimum, but training loss does not fall after it either.';
    case 'no-validation-loss':
      return 'Overfitting: no validation loss recorded.';
  }
}

/** One model's section: charts, confusion matrix, lowest val_loss, overfitting. */
export function modelSection(key: ModelKey, run: RunData): string {
  const { title } = MODELS[key];
  const epochs = run.history.loss.length;
  return [
    `### ${title}`,
    '',
    `![${title}: training and validation accuracy](${chartPath(key, 'accuracy')})`,
    `![${title}: training and validation loss](${chartPath(key, 'loss')})`,
    '',
    `Confusion matrix of the best checkpoint (epoch ${run.best.epoch}) on the ${count(run.evaluation.count)} test images (rows: true class, columns: predicted):`,
    '',
    confusionTable(run),
    '',
    lowestValLossLine(run),
    overfittingLine(overfittingOnset(run.history), epochs),
  ].join('\n');
}

/** The whole fragment to paste into docs/results.md. */
export function resultsMarkdown(runs: RunsByModel): string {
  const sections = MODEL_KEYS.flatMap((key) => {
    const run = runs[key];
    return run === undefined ? [] : [modelSection(key, run)];
  });
  return [comparisonTable(runs), ...sections].join('\n\n') + '\n';
}
