/**
 * Entry point of `npm run results` (tsx scripts/results/main.ts): the one file that does work when loaded.
 * Relative paths are taken from where `npm run` was typed (INIT_CWD); --out defaults to the repository's docs/.
 */
import { dirname, resolve } from 'node:path';
import { runResultsCli } from './cli';

const repoRoot = resolve(dirname(process.argv[1] ?? '.'), '..', '..');

runResultsCli({
  argv: process.argv.slice(2),
  cwd: process.env.INIT_CWD ?? process.cwd(),
  defaultOut: resolve(repoRoot, 'docs'),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`results: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
