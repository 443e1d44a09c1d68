/**
 * "Use this model": after an export of the focused run (Export model…, or the Checkpoints view's Export Model…),
 * the snippets that load that file (src/shared/exportSnippets.ts), naming its input size and class order.
 */
import { EXPORT_FORMATS } from '../../src/shared/exportFormats';
import { usageSnippets } from '../../src/shared/exportSnippets';
import type { ExportedMessage } from '../../src/shared/trainerProtocol';
import { h } from '../dom';
import type { PanelState } from '../panelState';
import { focusedRun } from '../selectors';
import type { ViewActions } from './actions';
import { sectionHead } from './widgets';

export interface UseModelInput {
  exports: ExportedMessage[];
}

export function selectUseModel(state: PanelState): UseModelInput | null {
  const run = focusedRun(state);
  return run && run.exports.length > 0 ? { exports: run.exports } : null;
}

export function renderUseModel(input: UseModelInput, actions: ViewActions): HTMLElement[] {
  const blocks = input.exports.flatMap((exported) => [
    h(
      'p',
      { class: 'muted' },
      `${EXPORT_FORMATS[exported.format].title}, epoch ${exported.epoch}: `,
      h(
        'button',
        { class: 'link', attrs: { type: 'button', 'data-testid': `export-${exported.format}`, title: 'Open the file' }, onClick: () => actions.post({ type: 'open-file', path: exported.files[0] ?? exported.path }) },
        exported.path,
      ),
    ),
    ...usageSnippets({ format: exported.format, path: exported.path, classes: exported.classes, imageSize: exported.imageSize }).map((snippet) =>
      h('figure', { class: 'snippet' }, h('figcaption', {}, snippet.title), h('pre', { attrs: { 'data-testid': `snippet-${exported.format}-${snippet.language}` } }, h('code', {}, snippet.text))),
    ),
  ]);
  return [
    sectionHead('Use this model'),
    h('p', { class: 'note' }, 'The model takes RGB images resized to its training size, with values 0..255 (it rescales them itself), and gives one probability per class in the order below.'),
    ...blocks,
  ];
}
