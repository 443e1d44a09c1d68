/** Small building blocks shared by the views: buttons, section headings, key/value rows. */
import { h, type Child } from '../dom';

export function button(label: string, onClick: () => void, options: { secondary?: boolean; testId?: string; title?: string } = {}): HTMLElement {
  const el = h('vscode-button', { attrs: { 'data-testid': options.testId, title: options.title, secondary: options.secondary } }, label);
  el.addEventListener('click', () => onClick());
  return el;
}

export function sectionHead(title: string, ...extra: Child[]): HTMLElement {
  return h('div', { class: 'section-head' }, h('h2', {}, title), extra.length > 0 ? h('div', { class: 'section-actions' }, ...extra) : null);
}

export function stat(label: string, value: string, testId?: string): HTMLElement {
  return h('div', { class: 'stat' }, h('div', { class: 'stat-value', attrs: { 'data-testid': testId } }, value), h('div', { class: 'stat-label' }, label));
}
