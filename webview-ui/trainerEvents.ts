/**
 * Checks a trainer message forwarded by the host (untyped JSON) before the reducer reads it, with the same
 * field checks as the host (src/shared/trainerMessageFields.ts). Unknown types and malformed messages give undefined.
 */
import { parseTrainerMessageValue, type TrainerMessage } from '../src/shared/trainerProtocol';

export { isLayer, isTrainSettings } from '../src/shared/trainerMessageFields';

export function parseTrainerEvent(value: unknown): TrainerMessage | undefined {
  return parseTrainerMessageValue(value);
}
