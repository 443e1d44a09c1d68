/**
 * Messages between the extension host and the training panel (webview), both directions,
 * discriminated on a string `type`. The panel's state is built only from these messages, so a
 * recorded stream can be replayed into it (tests) and a reloaded panel can be refilled from disk.
 */
import type { RecipeId } from './recipes';
import type { HistoryFile, RunRecord } from './runFiles';
import type { EvaluationMessage, TrainerMessage } from './trainerProtocol';

/** Identifies a run in the panel: its run folder, or a temporary key before the folder exists. */
export type RunKey = string;

export type RunPhase = 'preparing' | 'running' | 'stopping' | 'completed' | 'stopped' | 'failed' | 'crashed';

// ---- host -> webview -------------------------------------------------------------------------

/** A trainer message of the run `runKey`, forwarded as the trainer wrote it. */
export interface TrainerEventMessage {
  type: 'trainer-event';
  runKey: RunKey;
  event: TrainerMessage;
}

/** A finished (or interrupted) run read from disk, to show or overlay. */
export interface RunLoadedMessage {
  type: 'run-loaded';
  runKey: RunKey;
  record: RunRecord;
  history: HistoryFile | null;
  evaluation: EvaluationMessage | null;
}

/** The host's view of a run's process. */
export interface RunPhaseMessage {
  type: 'run-phase';
  runKey: RunKey;
  phase: RunPhase;
  /** For a person: why it stopped or failed. */
  detail: string | null;
  /** Last stderr lines, for a crash. */
  logTail: string[];
}

/** Webview URIs for local files the panel shows (augmentation grid, test images). */
export interface ImageUrisMessage {
  type: 'image-uris';
  uris: Record<string, string>;
}

/** Which run the panel shows in front; others stay available for overlay. */
export interface FocusRunMessage {
  type: 'focus-run';
  runKey: RunKey;
}

/** The run's folder is gone (deleted, or missing after a reload): the panel drops the run. */
export interface RunRemovedMessage {
  type: 'run-removed';
  runKey: RunKey;
}

export type HostToWebviewMessage = TrainerEventMessage | RunLoadedMessage | RunPhaseMessage | ImageUrisMessage | FocusRunMessage | RunRemovedMessage;

// ---- webview -> host -------------------------------------------------------------------------

/** The panel's script is running and wants the current state. */
export interface ReadyMessage {
  type: 'ready';
}

export interface StopRunMessage {
  type: 'stop-run';
  runKey: RunKey;
}

export interface EvaluateRunMessage {
  type: 'evaluate-run';
  runKey: RunKey;
}

export interface OpenFileMessage {
  type: 'open-file';
  path: string;
}

/** Ask for another run (from the Checkpoints view) to overlay on the charts. */
export interface PickRunToCompareMessage {
  type: 'pick-run-to-compare';
}

export interface StartRecipeMessage {
  type: 'start-recipe';
  recipe: RecipeId;
}

/** The person closed a run's tab: the panel no longer shows it (its folder stays). */
export interface CloseRunMessage {
  type: 'close-run';
  runKey: RunKey;
}

export type WebviewToHostMessage =
  | ReadyMessage
  | StopRunMessage
  | EvaluateRunMessage
  | OpenFileMessage
  | PickRunToCompareMessage
  | StartRecipeMessage
  | CloseRunMessage;

const WEBVIEW_TO_HOST_TYPES: ReadonlySet<string> = new Set<WebviewToHostMessage['type']>([
  'ready',
  'stop-run',
  'evaluate-run',
  'open-file',
  'pick-run-to-compare',
  'start-recipe',
  'close-run',
]);

/** Validates a message from the webview (untrusted input) before the host acts on it. */
export function parseWebviewMessage(value: unknown): WebviewToHostMessage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const message = value as Record<string, unknown>;
  if (typeof message.type !== 'string' || !WEBVIEW_TO_HOST_TYPES.has(message.type)) return undefined;
  switch (message.type as WebviewToHostMessage['type']) {
    case 'ready':
    case 'pick-run-to-compare':
      return { type: message.type } as WebviewToHostMessage;
    case 'stop-run':
    case 'evaluate-run':
    case 'close-run':
      return typeof message.runKey === 'string' ? ({ type: message.type, runKey: message.runKey } as WebviewToHostMessage) : undefined;
    case 'open-file':
      return typeof message.path === 'string' ? { type: 'open-file', path: message.path } : undefined;
    case 'start-recipe':
      return message.recipe === 'scratch' || message.recipe === 'augmented' ? { type: 'start-recipe', recipe: message.recipe } : undefined;
  }
}
