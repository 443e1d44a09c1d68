/**
 * The trainer's error codes (the `error` message's `code`) and its process exit codes, declared once for the
 * trainer that uses them and the host that reads them (docs/protocol.md, `small-convnet --help`). Pure.
 */

/** Errors a person can act on: the message names the file or setting and says what to do. */
export const USER_ERROR_CODES = [
  'bad-argument',
  'bad-setting',
  'not-found',
  'bad-data',
  'too-few-images',
  'target-not-empty',
  'backend-unavailable',
  'bad-checkpoint',
  'busy',
  /** The output folder cannot be written: disk full, read-only, or a file where a folder must be. */
  'cannot-write',
] as const;
export type UserErrorCode = (typeof USER_ERROR_CODES)[number];

/** Every `error.code`: a user error, a training that diverged (NaN loss), or `internal` (a bug). */
export const ERROR_CODES = [...USER_ERROR_CODES, 'diverged', 'internal'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export const EXIT = {
  ok: 0,
  internalError: 1,
  usage: 2,
  dataOrSetting: 3,
  backendUnavailable: 4,
  diverged: 5,
  cancelled: 130,
  /** SIGTERM: exited at once, after the `done` message. */
  terminated: 143,
} as const;

/** Exit codes that mean "a user error or a diverged run": the `error` message says what to do. */
export const USER_ERROR_EXIT_CODES: readonly number[] = [EXIT.usage, EXIT.dataOrSetting, EXIT.backendUnavailable, EXIT.diverged];

export function exitCodeFor(code: UserErrorCode): number {
  switch (code) {
    case 'bad-argument':
      return EXIT.usage;
    case 'backend-unavailable':
      return EXIT.backendUnavailable;
    case 'bad-setting':
    case 'not-found':
    case 'bad-data':
    case 'too-few-images':
    case 'target-not-empty':
    case 'bad-checkpoint':
    case 'busy':
    case 'cannot-write':
      return EXIT.dataOrSetting;
  }
}
