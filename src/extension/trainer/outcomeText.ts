/** The notification for how a trainer job ended (pure, so the wording is tested). */
import type { TrainerOutcome } from './trainerOutcome';

export interface OutcomeNotification {
  severity: 'error' | 'warning' | 'info' | 'none';
  text: string;
}

/** Lines of stderr shown in a crash notification (all of them go to the output channel and the panel). */
export const NOTIFICATION_TAIL_LINES = 3;

/** Lines that say nothing to a person in a notification: stack frames, Node's version footer, the `^` under a source line. */
const NOISE = [/^\s*$/, /^\s+at\s/, /^Node\.js v\d/, /^\s*\^+\s*$/];

/** The last `count` lines that carry a message (an uncaught error's "Error: ..." rather than its stack frames). */
export function lastMeaningfulLines(lines: readonly string[], count: number): string[] {
  return lines.filter((line) => !NOISE.some((noise) => noise.test(line))).slice(-count);
}

/** `what` names the job for a person: "Training", "Evaluation of 20261128-195803-scratch", "Preparing the subsets". */
export function outcomeNotification(outcome: TrainerOutcome, what: string): OutcomeNotification {
  switch (outcome.kind) {
    case 'completed':
      return { severity: 'none', text: '' };
    case 'cancelled':
      return { severity: 'info', text: `${what}: ${outcome.summary}` };
    case 'failed':
      return { severity: 'error', text: `${what} failed: ${outcome.summary}` };
    case 'crashed': {
      const tail = lastMeaningfulLines(outcome.stderrTail, NOTIFICATION_TAIL_LINES);
      return { severity: 'error', text: `${what} crashed. ${outcome.summary}${tail.length > 0 ? ` Last log lines: ${tail.join(' ⏎ ')}` : ''}` };
    }
  }
}
