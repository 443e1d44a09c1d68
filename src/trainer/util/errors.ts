/**
 * Errors the user can act on: the message names the file or setting and says what to do.
 * `code` is stable (used by the protocol and the CLI exit code); anything else thrown is a bug.
 */
import type { UserErrorCode } from '../../shared/trainerErrors';

export type { UserErrorCode };

export class UserError extends Error {
  readonly code: UserErrorCode;

  constructor(code: UserErrorCode, message: string) {
    super(message);
    this.name = 'UserError';
    this.code = code;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

/** The error's message for a person, whatever was thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
