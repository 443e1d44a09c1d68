/**
 * Messages between the extension host and the training panel (webview), both directions,
 * discriminated on a string `type`. The panel's state is built only from these messages, so a
 * recorded stream can be replayed into it (tests) and a reloaded panel can be refilled from disk.
 */
import { RECIPE_IDS } from './recipes';
import { evaluationFileSchema, historyFileSchema, runRecordSchema } from './runFiles';
import { array, nullable, object, oneOf, optional, parse, record, string, tagged, type Infer } from './schema';
import { RUN_PHASES } from './runPhase';
import { trainerMessageSchema } from './trainerProtocol';

/** Identifies a run in the panel: its run folder, or a temporary key before the folder exists. */
export type RunKey = string;
const runKey = string;

export { RUN_PHASES, type RunPhase } from './runPhase';

// ---- host -> webview -------------------------------------------------------------------------

export const hostToWebviewSchema = tagged('type', {
  /** A trainer message of the run `runKey`, forwarded as the trainer wrote it. */
  'trainer-event': object({ runKey: runKey(), event: trainerMessageSchema }),
  /** A finished (or interrupted) run read from disk, to show or overlay. */
  'run-loaded': object({ runKey: runKey(), record: runRecordSchema, history: nullable(historyFileSchema), evaluation: nullable(evaluationFileSchema) }),
  /** The host's view of a run's process. */
  'run-phase': object({
    runKey: runKey(),
    phase: oneOf(RUN_PHASES),
    /** For a person: why it stopped or failed. */
    detail: nullable(string()),
    /** Last stderr lines, for a crash. */
    logTail: array(string()),
  }),
  /** Webview URIs for local files the panel shows (augmentation grid, test images). */
  'image-uris': object({ uris: record(string()) }),
  /** Which run the panel shows in front; others stay available for overlay. */
  'focus-run': object({ runKey: runKey() }),
  /** The run's folder is gone (deleted, or missing after a reload): the panel drops the run. */
  'run-removed': object({ runKey: runKey() }),
});

export type HostToWebviewMessage = Infer<typeof hostToWebviewSchema>;
type HostMessageOf<T extends HostToWebviewMessage['type']> = Extract<HostToWebviewMessage, { type: T }>;
export type TrainerEventMessage = HostMessageOf<'trainer-event'>;
export type RunLoadedMessage = HostMessageOf<'run-loaded'>;
export type RunPhaseMessage = HostMessageOf<'run-phase'>;
export type ImageUrisMessage = HostMessageOf<'image-uris'>;
export type FocusRunMessage = HostMessageOf<'focus-run'>;
export type RunRemovedMessage = HostMessageOf<'run-removed'>;

/** A message from the host (untyped in the webview's `message` event), or undefined when it is not one. */
export function parseHostMessage(value: unknown): HostToWebviewMessage | undefined {
  return parse(hostToWebviewSchema, value);
}

// ---- webview -> host -------------------------------------------------------------------------

export const webviewToHostSchema = tagged('type', {
  /**
   * The panel's script is running and wants the current state. `front`: the run it shows in front after
   * restoring its saved state (a reload, or the panel shown again after it was hidden); unless a run trains in
   * this window, the host then leaves the front to it, since the person may have picked that tab while the host
   * replays. Absent or null: a fresh panel, which the host tells what to show in front.
   */
  ready: object({ front: optional(nullable(runKey())) }),
  'stop-run': object({ runKey: runKey() }),
  'evaluate-run': object({ runKey: runKey() }),
  /** Export the run's best checkpoint (the host asks for the format and where). */
  'export-run': object({ runKey: runKey() }),
  /** Grad-CAM heatmaps of these images (the most confidently wrong test images) with the run's best checkpoint. */
  'explain-images': object({ runKey: runKey(), files: array(string()) }),
  /** The feature maps of every conv and pooling layer for one of those images. */
  'activations-image': object({ runKey: runKey(), file: string() }),
  'open-file': object({ path: string() }),
  /** Ask for another run (from the Checkpoints view) to overlay on the charts. */
  'pick-run-to-compare': object({}),
  'start-recipe': object({ recipe: oneOf(RECIPE_IDS) }),
  /** The person closed a run's tab: the panel no longer shows it (its folder stays). */
  'close-run': object({ runKey: runKey() }),
});

export type WebviewToHostMessage = Infer<typeof webviewToHostSchema>;

/** Validates a message from the webview (untrusted input) before the host acts on it. */
export function parseWebviewMessage(value: unknown): WebviewToHostMessage | undefined {
  return parse(webviewToHostSchema, value);
}
