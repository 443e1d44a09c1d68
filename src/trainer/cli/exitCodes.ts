/** The CLI's exit codes (documented in docs/protocol.md and `small-convnet --help`). */
import type { UserErrorCode } from '../util/errors';

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
