/** Test-set figures from predictions: loss, accuracy, confusion matrix, per-class accuracy, worst mistakes. */
import type { WrongPrediction } from '../../shared/trainerProtocol';
import { classProbabilities, exampleLoss, predictedClass } from './lossAndMetrics';

export interface EvaluationFigures {
  loss: number;
  accuracy: number;
  confusion: number[][];
  perClassAccuracy: number[];
  mostConfidentlyWrong: WrongPrediction[];
}

export function evaluationFigures(options: {
  outputs: Float32Array;
  labels: Int32Array;
  classes: string[];
  files: string[];
  /** How many of the most confidently wrong predictions to list. */
  worst?: number;
}): EvaluationFigures {
  const { outputs, labels, classes, files } = options;
  const n = classes.length;
  const rows = classProbabilities(outputs, n);
  const confusion = classes.map(() => new Array<number>(n).fill(0));
  let lossSum = 0;
  const wrong: WrongPrediction[] = [];
  rows.forEach((probabilities, i) => {
    const label = labels[i];
    const predicted = predictedClass(probabilities);
    confusion[label][predicted]++;
    lossSum += exampleLoss(probabilities[label]);
    if (predicted !== label) {
      wrong.push({ file: files[i], label: classes[label], predicted: classes[predicted], confidence: probabilities[predicted] });
    }
  });
  const correct = confusion.reduce((sum, row, i) => sum + row[i], 0);
  const perClassAccuracy = confusion.map((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? 0 : row[i] / total;
  });
  wrong.sort((a, b) => b.confidence - a.confidence);
  return {
    loss: lossSum / Math.max(1, rows.length),
    accuracy: correct / Math.max(1, rows.length),
    confusion,
    perClassAccuracy,
    mostConfidentlyWrong: wrong.slice(0, options.worst ?? 12),
  };
}
