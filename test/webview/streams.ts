/** Recorded trainer streams (JSON lines) turned into the messages the extension host sends the panel. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrainerMessage, type TrainerMessage } from '../../src/shared/trainerProtocol';
import type { HistoryFile } from '../../src/shared/runFiles';
import type { HostToWebviewMessage, RunKey } from '../../src/shared/webviewProtocol';

export const STREAMS_DIR = join(__dirname, '..', 'fixtures', 'streams');

export function readStream(name: string): TrainerMessage[] {
  const text = readFileSync(join(STREAMS_DIR, name), 'utf8');
  return text.split('\n').flatMap((line) => {
    const message = parseTrainerMessage(line);
    return message ? [message] : [];
  });
}

export function asHostMessages(runKey: RunKey, events: readonly TrainerMessage[]): HostToWebviewMessage[] {
  return events.map((event) => ({ type: 'trainer-event', runKey, event }));
}

/** The history.json a finished stream leaves behind (for run-loaded). */
export function historyOf(events: readonly TrainerMessage[]): HistoryFile {
  const epochs = events.flatMap((e) => (e.type === 'epoch-end' ? [{ epoch: e.epoch, seconds: e.seconds, ...e.logs }] : []));
  return {
    version: 1,
    history: {
      loss: epochs.map((e) => e.loss),
      accuracy: epochs.map((e) => e.accuracy),
      val_loss: epochs.map((e) => e.val_loss),
      val_accuracy: epochs.map((e) => e.val_accuracy),
    },
    epochs,
  };
}

/** Local image paths a stream mentions (augmentation tiles, wrong test images). */
export function imagePathsOf(events: readonly TrainerMessage[]): string[] {
  return events.flatMap((e) => {
    if (e.type === 'augmentation-preview') return [...e.files, ...(e.gridFile ? [e.gridFile] : [])];
    if (e.type === 'evaluation') return e.mostConfidentlyWrong.map((w) => w.file);
    return [];
  });
}
