/**
 * Reads a JSON file the trainer did not just write (a run's run.json, history.json, best.json) and checks it
 * against its one declaration in src/shared: a missing, truncated, empty or hand-edited file is a UserError that
 * names the file, says what is wrong, and what to do; never an internal error.
 */
import { readFileSync } from 'node:fs';
import { parseOrExplain, type Schema } from '../../shared/schema';
import type { UserErrorCode } from '../../shared/trainerErrors';
import { describeError, UserError } from './errors';

export interface CheckedRead<T> {
  file: string;
  schema: Schema<T>;
  /** The error code of a damaged file. */
  code: UserErrorCode;
  /** What to do about it, one sentence ("Delete the run folder and train again."). */
  fix: string;
  /** A message of its own for a problem that needs more words than "expected …, got …" (checked first). */
  explain?: (value: unknown) => string | null;
}

export function readCheckedJson<T>(options: CheckedRead<T>): T {
  const { file, fix, code } = options;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError((error as NodeJS.ErrnoException).code === 'ENOENT' ? 'not-found' : code, `${file} cannot be read (${describeError(error)}). ${fix}`);
  }
  if (text.trim() === '') throw new UserError(code, `${file} is empty (a write cut short, or emptied by hand). ${fix}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserError(code, `${file} is not valid JSON (${describeError(error)}): it was cut short or edited by hand. ${fix}`);
  }
  const own = options.explain?.(value) ?? null;
  if (own !== null) throw new UserError(code, own);
  const parsed = parseOrExplain(options.schema, value);
  if (!parsed.ok) throw new UserError(code, `${file} is damaged: ${parsed.problem}. ${fix}`);
  return parsed.value;
}
