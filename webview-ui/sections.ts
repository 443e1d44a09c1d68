/**
 * A section of the panel that re-renders only when its input changed. Inputs are small objects whose
 * fields come straight from the (immutable) state, so a shallow comparison (arrays: element by element)
 * is enough; a section that re-renders rarely keeps its buttons under the mouse.
 */
import { replaceChildren, type Child } from './dom';

export interface Section<T> {
  readonly el: HTMLElement;
  update(input: T | null): void;
}

/** Same value, or two arrays with the same elements. */
function sameField(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => Object.is(item, b[i]));
}

function shallowEqual<T>(a: T, b: T): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a) as (keyof T)[];
  const kb = Object.keys(b) as (keyof T)[];
  return ka.length === kb.length && ka.every((k) => sameField(a[k], b[k]));
}

/** `render(input)` fills the section; a null input hides it. `equal` decides when the input is unchanged. */
export function section<T>(name: string, render: (input: T) => Child | Child[], equal: (a: T | null, b: T | null) => boolean = shallowEqual): Section<T> {
  const el = document.createElement('section');
  el.className = `section section-${name}`;
  el.dataset.section = name;
  el.hidden = true;
  let last: { input: T | null } | null = null;
  return {
    el,
    update(input: T | null): void {
      if (last !== null && equal(last.input, input)) return;
      last = { input };
      el.hidden = input === null;
      if (input === null) {
        el.replaceChildren();
        return;
      }
      const out = render(input);
      replaceChildren(el, ...(Array.isArray(out) ? out : [out]));
    },
  };
}
