/** Starts trainer processes with the current settings; one place that knows how (no `vscode`). */
import type { CommandName } from '../../shared/trainerProtocol';
import { trainerLaunch, type TrainerRuntime } from './trainerLaunch';
import { TrainerProcess, type StopTimeouts } from './trainerProcess';

export interface TrainerLauncher {
  start(options: { command: CommandName; args: readonly string[] }): TrainerProcess;
}

export function createTrainerLauncher(options: {
  /** Read when a process starts, so settings changes apply to the next process. */
  runtime: () => TrainerRuntime;
  log: (line: string) => void;
  timeouts?: Partial<StopTimeouts>;
}): TrainerLauncher {
  return {
    start: ({ command, args }) => {
      const launch = trainerLaunch({ runtime: options.runtime(), command, args });
      options.log(`$ ${[launch.executable, ...launch.args].map((part) => (/\s/.test(part) ? JSON.stringify(part) : part)).join(' ')}`);
      return TrainerProcess.start({ launch, log: options.log, timeouts: options.timeouts });
    },
  };
}
