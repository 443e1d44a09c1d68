/** What every command gets from main.ts: where to send protocol messages and logs, and a cancel token. */
import type { TrainerMessage } from '../../shared/trainerProtocol';
import type { CancelToken } from '../train/cancellation';

export interface CommandContext {
  /** One protocol message (stdout as a JSON line, or rendered for a terminal). */
  emit(message: TrainerMessage): void;
  /** A log line for stderr. */
  log(text: string): void;
  cancel: CancelToken;
  /** Test and diagnosis only (SMALL_CONVNET_DEBUG_MEMORY=1): log live tensors and memory after every epoch. */
  debugMemory?: boolean;
  /** The trainer's version (package.json's), for what it writes (an export's producer). */
  trainerVersion?: string;
}

/** What a command returns to main.ts, which turns it into the final `done` message and exit code. */
export interface CommandResult {
  status: 'completed' | 'cancelled' | 'failed';
  exitCode: number;
  runDir?: string;
  bestCheckpointDir?: string | null;
  historyFile?: string;
  /** Files left out of the command's data, for the summary (`done`). */
  skippedFiles?: number;
}
