/** Runs one short trainer command (prepare, evaluate, predict) to its end, with cancellation. No `vscode`. */
import type { CommandName, TrainerMessage } from '../../shared/trainerProtocol';
import type { TrainerLauncher } from './trainerLauncher';
import type { TrainerOutcome } from './trainerOutcome';

export interface TrainerJobResult {
  outcome: TrainerOutcome;
  messages: TrainerMessage[];
}

export async function runTrainerJob(options: {
  launcher: TrainerLauncher;
  command: CommandName;
  args: readonly string[];
  /** Aborting stops the process (cancel, then SIGTERM, then SIGKILL). */
  signal?: AbortSignal;
  onMessage?: (message: TrainerMessage) => void;
}): Promise<TrainerJobResult> {
  const process = options.launcher.start({ command: options.command, args: options.args });
  const messages: TrainerMessage[] = [];
  const subscription = process.onMessage((message) => {
    messages.push(message);
    options.onMessage?.(message);
  });
  const abort = () => void process.stop();
  if (options.signal?.aborted) abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    const outcome = await process.finished;
    return { outcome, messages };
  } finally {
    options.signal?.removeEventListener('abort', abort);
    subscription.dispose();
  }
}

export function messagesOfType<T extends TrainerMessage['type']>(messages: readonly TrainerMessage[], type: T): Extract<TrainerMessage, { type: T }>[] {
  return messages.filter((message): message is Extract<TrainerMessage, { type: T }> => message.type === type);
}
