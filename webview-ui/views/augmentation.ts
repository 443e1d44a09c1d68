/** The 3x3 grid of augmented versions of one training image (Model 2), with what augmentation does. */
import { h } from '../dom';
import { baseName } from '../format';
import type { PanelState } from '../panelState';
import type { AugmentationPreview } from '../runView';
import { focusedRun } from '../selectors';
import type { ViewActions } from './actions';
import { sectionHead } from './widgets';

export interface AugmentationInput {
  preview: AugmentationPreview;
  uris: Record<string, string>;
}

export function selectAugmentation(state: PanelState): AugmentationInput | null {
  const preview = focusedRun(state)?.augmentation;
  return preview ? { preview, uris: state.imageUris } : null;
}

function tile(file: string, uri: string | undefined, index: number, actions: ViewActions): HTMLElement {
  const content = uri
    ? h('img', { attrs: { src: uri, alt: `Augmented version ${index + 1}`, width: 120, height: 120, 'data-testid': 'augmentation-image' } })
    : h('span', { class: 'placeholder' }, baseName(file));
  return h('button', { class: 'tile', attrs: { type: 'button', title: `${baseName(file)}: open the file` }, onClick: () => actions.post({ type: 'open-file', path: file }) }, content);
}

export function renderAugmentation(input: AugmentationInput, actions: ViewActions): HTMLElement[] {
  const { preview, uris } = input;
  const files = preview.files.slice(0, 9);
  const haveTiles = files.some((f) => uris[f] !== undefined);
  const gridUri = preview.gridFile ? uris[preview.gridFile] : undefined;
  const grid =
    !haveTiles && gridUri
      ? h('img', { class: 'augmentation-sheet', attrs: { src: gridUri, alt: 'Nine augmented versions of one training image' } })
      : h('div', { class: 'augmentation-grid', attrs: { role: 'group', 'aria-label': 'Nine augmented versions of one training image' } }, ...files.map((f, i) => tile(f, uris[f], i, actions)));
  return [
    sectionHead('Data augmentation'),
    h(
      'div',
      { class: 'augmentation' },
      grid,
      h(
        'div',
        { class: 'augmentation-text' },
        h('p', {}, `Nine random versions of ${baseName(preview.source)}, as the model may see it in training:`),
        h(
          'ul',
          {},
          h('li', {}, h('code', {}, 'RandomFlip("horizontal")'), ' mirrors half of the images left-right;'),
          h('li', {}, h('code', {}, 'RandomRotation(0.1)'), ' turns them by up to ±36° (10% of a full turn);'),
          h('li', {}, h('code', {}, 'RandomZoom(0.2)'), ' zooms in or out by up to 20%.'),
        ),
        h(
          'p',
          { class: 'muted' },
          'New variations are drawn every epoch, so the model never sees exactly the same picture twice and cannot simply memorise the training set. ' +
            'Validation and test images pass through unchanged.',
        ),
      ),
    ),
  ];
}
