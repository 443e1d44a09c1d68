/** `npm run results -- --scratch <runDir> --augmented <runDir> [--out docs]`: arguments, output, exit code. */
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateResults, type GenerateOptions } from './generate';
import { ResultsError } from './runFolder';

export const USAGE = `Usage: npm run results -- --scratch <runDir> --augmented <runDir> [--out docs]

Regenerates the results page's figures from the runs' own files (run.json, history.json, best.json,
evaluation.json): <out>/images/results-<scratch|augmented>-<accuracy|loss>.png and <out>/results.json,
and prints the markdown fragment for docs/results.md. With only one of --scratch / --augmented, writes
that run's charts and prints its fragment; results.json needs both. --out defaults to the repository's
docs/; relative paths are taken from the folder npm run was typed in.`;

export interface CliIo {
  argv: readonly string[];
  /** Folder relative paths are resolved against (where `npm run` was typed). */
  cwd: string;
  /** --out when not given. */
  defaultOut: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

/** The options the arguments ask for, or 'help'. Throws ResultsError on bad arguments. */
export function parseResultsArgs(argv: readonly string[], options: { cwd: string; defaultOut: string }): GenerateOptions | 'help' {
  let values: { scratch?: string; augmented?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { scratch: { type: 'string' }, augmented: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new ResultsError(`${(error as Error).message}\n\n${USAGE}`);
  }
  if (values.help === true) return 'help';
  if (values.scratch === undefined && values.augmented === undefined) throw new ResultsError(`Give at least one run folder.\n\n${USAGE}`);
  const here = (path: string) => (isAbsolute(path) ? path : resolve(options.cwd, path));
  const runs: GenerateOptions['runs'] = {};
  if (values.scratch !== undefined) runs.scratch = here(values.scratch);
  if (values.augmented !== undefined) runs.augmented = here(values.augmented);
  return { runs, outDir: values.out !== undefined ? here(values.out) : options.defaultOut };
}

/** Runs the command; returns the exit code (0 done, 1 a run folder problem, 2 bad arguments). */
export async function runResultsCli(io: CliIo): Promise<number> {
  let options: GenerateOptions | 'help';
  try {
    options = parseResultsArgs(io.argv, io);
  } catch (error) {
    if (!(error instanceof ResultsError)) throw error;
    io.stderr(`results: ${error.message}\n`);
    return 2;
  }
  if (options === 'help') {
    io.stdout(`${USAGE}\n`);
    return 0;
  }
  try {
    const result = await generateResults(options);
    for (const file of result.images) io.stderr(`wrote ${file}\n`);
    if (result.resultsFile !== null) io.stderr(`wrote ${result.resultsFile}\n`);
    for (const note of result.notes) io.stderr(`note: ${note}\n`);
    io.stdout(result.markdown);
    return 0;
  } catch (error) {
    if (!(error instanceof ResultsError)) throw error;
    io.stderr(`results: ${error.message}\n`);
    return 1;
  }
}
