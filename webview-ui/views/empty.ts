/** No run yet: what the panel is for, and a button to start each of the book's two experiments. */
import { RECIPES, type RecipeId } from '../../src/shared/recipes';
import { h } from '../dom';
import type { ViewActions } from './actions';
import { button } from './widgets';

const WHAT_YOU_SEE: Record<RecipeId, string> = {
  scratch: 'The convnet trained on the images as they are. With 2,000 training images it starts to overfit after 5 to 10 epochs: training accuracy keeps rising, validation accuracy does not.',
  augmented: 'The same convnet, but every training image is randomly flipped, rotated and zoomed, and Dropout(0.5) sits before the classifier. It overfits much later and does better on the test set.',
};

function recipeCard(id: RecipeId, model: string, actions: ViewActions): HTMLElement {
  const recipe = RECIPES[id];
  return h(
    'div',
    { class: 'recipe-card', attrs: { 'data-recipe': id } },
    h('div', { class: 'recipe-model' }, model),
    h('h3', {}, recipe.title),
    h('p', { attrs: { title: recipe.description } }, WHAT_YOU_SEE[id]),
    h('p', { class: 'muted' }, `${recipe.epochs} epochs${recipe.augmentation ? ' · random flip, rotation, zoom' : ''}${recipe.dropout > 0 ? ` · Dropout(${recipe.dropout})` : ''}`),
    button(`Train ${model}`, () => actions.post({ type: 'start-recipe', recipe: id }), { testId: `start-${id}`, secondary: id !== 'scratch' }),
  );
}

export function renderEmpty(actions: ViewActions): HTMLElement[] {
  return [
    h('h1', { class: 'empty-title' }, 'Train a small convnet'),
    h(
      'p',
      { class: 'lead' },
      'This panel follows a training run of a small image classifier, as in Deep Learning with Python (ch. 8.2): ' +
        'accuracy and loss per epoch, the model, augmented images and, at the end, how the best checkpoint does on test images it has never seen.',
    ),
    h(
      'p',
      { class: 'muted' },
      'Start with Model 1 to see overfitting, then train Model 2 and compare the two runs on the same charts.',
    ),
    h('div', { class: 'recipe-cards' }, recipeCard('scratch', 'Model 1', actions), recipeCard('augmented', 'Model 2', actions)),
  ];
}
