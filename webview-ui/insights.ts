/**
 * Short teaching notes for what the charts show right now (pure: run in, notes out). Factual, and
 * about this run's own numbers; the seed's results (RECIPE.md) are quoted for comparison.
 */
import { RECIPES } from '../src/shared/recipes';
import { formatLoss, formatPercent } from './format';
import type { EpochPoint, RunView } from './runView';
import { bestEpoch } from './selectors';

export interface Note {
  id: 'recipe' | 'overfitting' | 'chance' | 'gap' | 'compare' | 'best';
  tone: 'info' | 'warning';
  title: string;
  text: string;
}

/** Epochs after the lowest validation loss needed before calling it overfitting. */
export const OVERFIT_PATIENCE = 3;

function recipeNote(run: RunView): Note | null {
  if (run.recipe === 'scratch') {
    return {
      id: 'recipe',
      tone: 'info',
      title: `Model 1 · ${RECIPES.scratch.title}`,
      text:
        'The convnet learns from the training images exactly as they are. With few images it soon memorises them: ' +
        'training accuracy keeps climbing while validation accuracy stalls. In the book, validation loss is lowest at ' +
        'epoch 5 of 30 and the test accuracy is 69%.',
    };
  }
  if (run.recipe === 'augmented') {
    return {
      id: 'recipe',
      tone: 'info',
      title: `Model 2 · ${RECIPES.augmented.title}`,
      text:
        'Every epoch the model sees a randomly flipped, rotated and zoomed version of each training image, and ' +
        'Dropout(0.5) zeroes half of the features before the classifier. Both make memorising harder, so validation ' +
        'loss keeps falling for many more epochs (book: lowest near epoch 41 of 100, test accuracy 83%). Training ' +
        'accuracy is measured on the harder, augmented images, so it can sit below validation accuracy.',
    };
  }
  return null;
}

/** Validation loss above its minimum for OVERFIT_PATIENCE+ epochs while training loss went on falling. */
export function overfittingNote(run: RunView): Note | null {
  const history = run.history;
  const best = bestEpoch(run);
  const last = history[history.length - 1];
  const atBest = history.find((p) => p.epoch === best);
  if (!last || !atBest || last.epoch - atBest.epoch < OVERFIT_PATIENCE) return null;
  const risen = last.val_loss > atBest.val_loss * 1.01;
  const trainingFell = last.loss < atBest.loss;
  if (!risen || !trainingFell) return null;
  const later = run.recipe === 'augmented' ? ' Augmentation and dropout delay overfitting; they do not remove it.' : '';
  return {
    id: 'overfitting',
    tone: 'warning',
    title: 'Overfitting',
    text:
      `Since epoch ${atBest.epoch} the validation loss rises (${formatLoss(atBest.val_loss)} → ${formatLoss(last.val_loss)}) ` +
      `while the training loss falls (${formatLoss(atBest.loss)} → ${formatLoss(last.loss)}): the model is fitting details ` +
      `of the training images that do not hold for new ones. The checkpoint keeps epoch ${atBest.epoch}, the best one.${later}`,
  };
}

function chanceNote(run: RunView): Note | null {
  const classes = Math.max(2, run.classes.length);
  const chance = 1 / classes;
  const history = run.history;
  if (history.length < 3) return null;
  const bestVal = Math.max(...history.map((p) => p.val_accuracy).filter(Number.isFinite));
  if (!(bestVal <= chance + 0.05)) return null;
  return {
    id: 'chance',
    tone: 'info',
    title: 'Still at chance level',
    text:
      `Validation accuracy has stayed near ${formatPercent(chance, 0)}, what guessing gives with ${classes} balanced classes: ` +
      'the model has not yet found features that tell the classes apart. A small convnet often needs several epochs ' +
      'before accuracy starts to move.',
  };
}

function gapNote(last: EpochPoint): Note | null {
  const gap = last.accuracy - last.val_accuracy;
  if (!(gap >= 0.1)) return null;
  return {
    id: 'gap',
    tone: 'info',
    title: 'Training above validation',
    text:
      `At epoch ${last.epoch} the model is right on ${formatPercent(last.accuracy)} of the training images but only ` +
      `${formatPercent(last.val_accuracy)} of the validation images, which it never trains on. The validation numbers ` +
      'are the honest ones.',
  };
}

function bestNote(run: RunView): Note | null {
  const best = bestEpoch(run);
  const point = run.history.find((p) => p.epoch === best);
  if (!point || run.evaluation !== null) return null;
  const finished = run.phase === 'completed' || run.phase === 'stopped';
  if (!finished) return null;
  return {
    id: 'best',
    tone: 'info',
    title: 'Best checkpoint',
    text:
      `Epoch ${point.epoch} had the lowest validation loss (${formatLoss(point.val_loss)}, accuracy ` +
      `${formatPercent(point.val_accuracy)}); that is the model the checkpoint keeps. Evaluate it on the test set: ` +
      'images used neither for training nor for picking the checkpoint.',
  };
}

/** One line on a compared run: where each reached its lowest validation loss. */
export function compareNote(run: RunView, others: readonly { run: RunView; label: string }[]): Note | null {
  const parts = [{ run, label: 'this run' }, ...others].flatMap(({ run: r, label }) => {
    const best = bestEpoch(r);
    const point = r.history.find((p) => p.epoch === best);
    return point ? [`${label}: ${formatLoss(point.val_loss)} at epoch ${point.epoch} (accuracy ${formatPercent(point.val_accuracy)})`] : [];
  });
  if (others.length === 0 || parts.length < 2) return null;
  return { id: 'compare', tone: 'info', title: 'Lowest validation loss', text: parts.join('; ') + '.' };
}

export function runNotes(run: RunView): Note[] {
  const last = run.history[run.history.length - 1];
  const overfitting = overfittingNote(run);
  const notes = [recipeNote(run), overfitting, chanceNote(run), !overfitting && last ? gapNote(last) : null, bestNote(run)];
  return notes.filter((n): n is Note => n !== null);
}
