/**
 * The trainer's entry point, as a CLI and as the extension's child process. The thin layer that
 * maps commands' callbacks to output: JSON lines on stdout (with --json or when stdout is not a
 * terminal) or Keras-like text; every log line on stderr; control messages read from stdin.
 */
import { createInterface } from 'node:readline';
import { encodeMessage, parseControlMessage, PROTOCOL_VERSION, type CommandName, type TrainerMessage } from '../shared/trainerProtocol';
import { isCommandName, parseCommandLine, type ParsedArgs } from './cli/args';
import { EXIT, exitCodeFor } from '../shared/trainerErrors';
import { helpText } from './cli/helpText';
import { TerminalReporter } from './cli/terminalReporter';
import type { CommandContext, CommandResult } from './commands/commandContext';
import { evaluateCommand } from './commands/evaluateCommand';
import { predictCommand } from './commands/predictCommand';
import { exportCommand } from './commands/exportCommand';
import { explainCommand } from './commands/explainCommand';
import { activationsCommand } from './commands/activationsCommand';
import { prepareCommand } from './commands/prepareCommand';
import { previewCommand } from './commands/previewCommand';
import { resumeCommand } from './commands/resumeCommand';
import { trainCommand } from './commands/trainCommand';
import { CancelToken } from './train/cancellation';
import { describeError, isUserError, type UserError } from './util/errors';
import { surviveClosedOutput } from './util/detachedOutput';
import { writeFailureOfSyscall } from './util/fileErrors';
import { DEBUG_MEMORY_ENV } from './train/memoryReport';
import { routeConsoleToStderr } from './util/stdioRouting';

declare const TRAINER_VERSION: string | undefined;
const VERSION = typeof TRAINER_VERSION === 'string' ? TRAINER_VERSION : 'dev';

type CommandArgs = Extract<ParsedArgs, { command: CommandName }>;

function runCommand(args: CommandArgs, context: CommandContext): Promise<CommandResult> {
  switch (args.command) {
    case 'prepare':
      return prepareCommand(args, context);
    case 'train':
      return trainCommand(args, context);
    case 'resume':
      return resumeCommand(args, context);
    case 'evaluate':
      return evaluateCommand(args, context);
    case 'predict':
      return predictCommand(args, context);
    case 'preview':
      return previewCommand(args, context);
    case 'export':
      return exportCommand(args, context);
    case 'explain':
      return explainCommand(args, context);
    case 'activations':
      return activationsCommand(args, context);
  }
}

/**
 * Cancel on {"type":"cancel"} from stdin and on the first SIGINT; a second SIGINT exits at once.
 * SIGTERM exits at once too, after the terminate handlers ran, with the code `onTerminate` gives (it writes
 * the `done` line unless the command already had).
 */
function listenForCancel(options: { cancel: CancelToken; log: (text: string) => void; onTerminate: () => number }): void {
  const { cancel, log } = options;
  if (!process.stdin.isTTY) {
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      const control = parseControlMessage(line);
      if (control?.type === 'cancel') cancel.cancel('cancel requested');
      else if (line.trim() !== '') log(`Ignoring unknown control line on stdin: ${JSON.stringify(line.slice(0, 200))}`);
    });
    lines.on('error', () => undefined);
  }
  process.on('SIGINT', () => {
    if (cancel.cancelled) process.exit(EXIT.cancelled);
    log('Interrupted: stopping after the current batch (press Ctrl+C again to quit now).');
    cancel.cancel('interrupted (SIGINT)');
  });
  process.on('SIGTERM', () => {
    log('Terminated (SIGTERM): exiting now; the last saved checkpoint and history stay valid.');
    cancel.terminate('terminated (SIGTERM)');
    process.exit(options.onTerminate());
  });
}

/** A thrown error as the user should see it: a UserError, a failed write translated, or null for a bug. */
function asUserError(error: unknown): UserError | null {
  return isUserError(error) ? error : writeFailureOfSyscall(error);
}

async function main(argv: string[]): Promise<number> {
  routeConsoleToStderr();
  surviveClosedOutput();
  const log = (text: string) => process.stderr.write(text + '\n');
  let parsed: ParsedArgs;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    log(`small-convnet: ${describeError(error)}`);
    const exitCode = isUserError(error) ? exitCodeFor(error.code) : EXIT.usage;
    const command = argv[0];
    if (isUserError(error) && isCommandName(command) && (argv.includes('--json') || !process.stdout.isTTY)) {
      // A refused command line still gets the protocol's frame, so the host shows the message, not just an exit code.
      const frame: TrainerMessage[] = [
        { type: 'hello', protocolVersion: PROTOCOL_VERSION, trainerVersion: VERSION, command, pid: process.pid },
        { type: 'error', code: error.code, message: error.message },
        { type: 'done', command, status: 'failed', exitCode, seconds: 0 },
      ];
      for (const message of frame) process.stdout.write(encodeMessage(message));
    }
    return exitCode;
  }
  if (parsed.command === 'help') {
    process.stdout.write(helpText(parsed.topic) + '\n');
    return EXIT.ok;
  }
  if (parsed.command === 'version') {
    process.stdout.write(`small-convnet ${VERSION}\n`);
    return EXIT.ok;
  }
  const args = parsed;
  const json = args.json || !process.stdout.isTTY;
  const terminal = new TerminalReporter((text) => process.stdout.write(text));
  const emit = (message: TrainerMessage) => (json ? process.stdout.write(encodeMessage(message)) : terminal.report(message));
  const cancel = new CancelToken();
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  /** The exit code of the `done` line once it was written. */
  let finished: number | null = null;
  listenForCancel({
    cancel,
    log,
    onTerminate: () => {
      if (finished !== null) return finished;
      emit({ type: 'done', command: args.command, status: 'cancelled', exitCode: EXIT.terminated, seconds: seconds() });
      return EXIT.terminated;
    },
  });
  emit({ type: 'hello', protocolVersion: PROTOCOL_VERSION, trainerVersion: VERSION, command: args.command, pid: process.pid });
  let result: CommandResult;
  try {
    result = await runCommand(args, { emit, log, cancel, debugMemory: process.env[DEBUG_MEMORY_ENV] === '1', trainerVersion: VERSION });
  } catch (error) {
    const userError = asUserError(error);
    if (cancel.cancelled && error === cancel.signal.reason) {
      // Stopped between two files (prepare) or batches (evaluate): nothing half-done counts as finished.
      log(`Cancelled: ${cancel.why}.`);
      result = { status: 'cancelled', exitCode: EXIT.cancelled };
    } else if (userError !== null) {
      emit({ type: 'error', code: userError.code, message: userError.message });
      result = { status: 'failed', exitCode: exitCodeFor(userError.code) };
    } else {
      log((error as Error)?.stack ?? describeError(error));
      emit({ type: 'error', code: 'internal', message: `Internal error: ${describeError(error)} (details on stderr).` });
      result = { status: 'failed', exitCode: EXIT.internalError };
    }
  }
  finished = result.exitCode;
  emit({ type: 'done', command: args.command, ...result, seconds: seconds() });
  return result.exitCode;
}

main(process.argv.slice(2)).then(
  (code) => process.stdout.write('', () => process.exit(code)),
  (error) => {
    process.stderr.write(`small-convnet: ${describeError(error)}\n`);
    process.exit(EXIT.internalError);
  },
);
