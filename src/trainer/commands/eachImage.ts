/**
 * What predict and explain do with their images: decode each (RGB, resized to the model's size as the trainer
 * reads images) and hand it on; an image that cannot be decoded is a warning naming it, not the end of the command.
 */
import { decodeImage } from '../data/decodeImage';
import { EXIT } from '../../shared/trainerErrors';
import { describeError } from '../util/errors';
import type { CommandContext, CommandResult } from './commandContext';

export async function forEachImage(options: {
  files: readonly string[];
  size: number;
  context: CommandContext;
  each: (file: string, pixels: Uint8Array) => Promise<void>;
}): Promise<CommandResult> {
  const { files, size, context } = options;
  let failures = 0;
  for (const file of files) {
    if (context.cancel.cancelled) break;
    let pixels: Uint8Array;
    try {
      pixels = await decodeImage({ file, height: size, width: size });
    } catch (error) {
      failures++;
      context.emit({ type: 'warning', message: describeError(error), file });
      continue;
    }
    await options.each(file, pixels);
  }
  if (context.cancel.cancelled) return { status: 'cancelled', exitCode: EXIT.cancelled, skippedFiles: failures };
  if (failures === files.length) return { status: 'failed', exitCode: EXIT.dataOrSetting, skippedFiles: failures };
  return { status: 'completed', exitCode: EXIT.ok, skippedFiles: failures };
}
