/**
 * The phase the panel shows for a run, and its words, from what ended it: a `done` message's status, or its
 * run.json (with what its trainer.lock says, where the reader knows it). One place for the extension host and
 * the webview, so a run reads the same whether its stream or its folder told the panel.
 */
import type { RunRecord } from './runFiles';
import type { DoneStatus } from './trainerProtocol';

export const RUN_PHASES = ['preparing', 'running', 'stopping', 'completed', 'stopped', 'failed', 'crashed'] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

export interface PhaseAndDetail {
  phase: RunPhase;
  /** For a person: why it stopped or failed, or how it is followed. */
  detail: string | null;
}

/** The phase of a run that ended with `status` (a `done` message's, or run.json's). */
export function phaseOfDoneStatus(status: DoneStatus): RunPhase {
  return status === 'cancelled' ? 'stopped' : status;
}

export const STOPPING_DETAIL = 'Stopping after the current batch…';

/** What the panel says of a run followed from its folder: the progress moves every few seconds, the charts per epoch. */
export function backgroundDetail(pid: number): string {
  return `Training in the background (pid ${pid}): its progress is read from its run folder every few seconds; the charts add each epoch when it ends.`;
}

const INTERRUPTED = 'Interrupted: its trainer was killed or crashed. Resume it from the Checkpoints view.';
const UNFINISHED = 'Not finished: its run.json still says "running". It is training in another window, or it was interrupted.';

/**
 * A run read from its folder. `trainer`: its trainer.lock as the host read it (null: no live trainer; undefined:
 * not known, as in the webview, which only has run.json); `stopAsked`: this window's Stop signalled that trainer.
 */
export function phaseOfRunRecord(options: { record: RunRecord; trainer?: { alive: boolean; pid: number } | null; stopAsked?: boolean }): PhaseAndDetail {
  const { record, trainer } = options;
  switch (record.status) {
    case 'running':
      if (trainer === undefined) return { phase: 'stopped', detail: record.message ?? UNFINISHED };
      if (trainer === null || !trainer.alive) return { phase: 'stopped', detail: INTERRUPTED };
      return options.stopAsked === true ? { phase: 'stopping', detail: STOPPING_DETAIL } : { phase: 'running', detail: backgroundDetail(trainer.pid) };
    case 'cancelled':
      // As a live run says it ("Stopped."), with the trainer's reason ("cancel requested", "interrupted (SIGINT)").
      return { phase: phaseOfDoneStatus(record.status), detail: record.message ? `Stopped: ${record.message}.` : 'Stopped.' };
    case 'completed':
    case 'failed':
      return { phase: phaseOfDoneStatus(record.status), detail: record.message };
  }
}
