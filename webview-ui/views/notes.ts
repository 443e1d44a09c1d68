/** The teaching notes next to the charts (what the curves say right now). */
import { h } from '../dom';
import { compareNote, runNotes, type Note } from '../insights';
import type { PanelState } from '../panelState';
import { comparedRuns, focusedRun, shortRunLabel } from '../selectors';

export interface NotesInput {
  notes: Note[];
}

export function selectNotes(state: PanelState): NotesInput | null {
  const run = focusedRun(state);
  if (!run) return null;
  const compared = compareNote(run, comparedRuns(state).map((r) => ({ run: r, label: shortRunLabel(r) })));
  const notes = [...runNotes(run), ...(compared ? [compared] : [])];
  return notes.length > 0 ? { notes } : null;
}

/** Notes are recomputed on every message; the section redraws only when their text changes. */
export function sameNotes(a: NotesInput | null, b: NotesInput | null): boolean {
  const text = (input: NotesInput | null): string => (input ? input.notes.map((n) => `${n.id}:${n.title}:${n.text}`).join('\n') : '');
  return text(a) === text(b);
}

export function renderNotes(input: NotesInput): HTMLElement[] {
  return input.notes.map((note) =>
    h(
      'aside',
      { class: `note note-${note.tone}`, attrs: { 'data-note': note.id } },
      h('strong', { class: 'note-title' }, note.title),
      h('span', { class: 'note-text' }, note.text),
    ),
  );
}
