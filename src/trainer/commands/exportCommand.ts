/**
 * `small-convnet export <run-or-checkpoint> --format keras|h5|onnx|tfjs [--out FILE_OR_DIR] [--force]`: the best
 * checkpoint (or the one named) in a format other tools read. Nothing half-written is left: each file is written
 * under a hidden temporary name and renamed when complete (a tfjs folder is made complete, then renamed).
 */
import '@tensorflow/tfjs-backend-cpu';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { EXPORT_FORMATS, type ExportFormat } from '../../shared/exportFormats';
import type { ExportArgs } from '../cli/args';
import { selectBackend } from '../backend/selectBackend';
import { describeModel } from '../export/exportedModel';
import { kerasFileBytes, legacyH5Bytes } from '../export/kerasFiles';
import { onnxModelBytes } from '../export/onnxExport';
import { tfjsModelFiles } from '../export/tfjsExport';
import { loadCheckpoint, resolveCheckpoint } from '../train/checkpointStore';
import { commitDir, tempNameFor, writeFileAtomic } from '../util/atomicWrite';
import { UserError } from '../util/errors';
import { makeDirectory } from '../util/makeDirectory';
import type { CommandContext, CommandResult } from './commandContext';
import { outputFolderOf } from './outputFolder';
import { EXIT } from '../../shared/trainerErrors';

/** Where an export goes by default: <run>/exports/ (or exports/ beside a loose checkpoint folder). */
function defaultOutput(options: { checkpointDir: string; runId: string; format: ExportFormat }): string {
  const folder = outputFolderOf({ out: undefined, checkpointDir: options.checkpointDir, folder: 'exports' });
  return join(folder, `${options.runId}-${basename(options.checkpointDir)}${EXPORT_FORMATS[options.format].extension}`);
}

export async function exportCommand(args: ExportArgs, context: CommandContext): Promise<CommandResult> {
  const target = resolve(args.checkpoint);
  const resolved = resolveCheckpoint(target);
  const out = resolve(args.out ?? defaultOutput({ checkpointDir: resolved.dir, runId: resolved.metadata.runId, format: args.format }));
  if (existsSync(out) && !args.force) {
    const what = statSync(out).isDirectory() ? 'folder' : 'file';
    throw new UserError('bad-argument', `${out} already exists. Choose another --out, or pass --force to replace the ${what}.`);
  }
  // Only the weights are read (no maths): the cpu backend loads everywhere and at once. Chosen like every other
  // command's backend, so tfjs' console advice stays off (its "install our node backend" banner on stderr).
  await selectBackend('cpu');
  const { dir, metadata, model } = await loadCheckpoint({ target });
  const description = describeModel(model, metadata);
  makeDirectory(dirname(out));
  const files: string[] = [];
  switch (args.format) {
    case 'tfjs': {
      const temp = tempNameFor(out);
      rmSync(temp, { recursive: true, force: true });
      mkdirSync(temp);
      let old: string | null = null;
      try {
        for (const [name, bytes] of Object.entries(tfjsModelFiles({ checkpointDir: dir, model: description }))) {
          writeFileAtomic(join(temp, name), bytes);
          files.push(join(out, name));
        }
        // --force on a folder: the old one moves aside (hidden) first and goes only once the new one is in place.
        old = existsSync(out) ? `${tempNameFor(out)}-old` : null;
        if (old !== null) renameSync(out, old);
        commitDir(temp, out);
        if (old !== null) rmSync(old, { recursive: true, force: true });
      } catch (error) {
        rmSync(temp, { recursive: true, force: true });
        // The new folder did not make it: the old one goes back where it was.
        if (old !== null && existsSync(old) && !existsSync(out)) renameSync(old, out);
        throw error;
      }
      break;
    }
    case 'onnx':
      writeFileAtomic(out, onnxModelBytes(description, { producerVersion: context.trainerVersion ?? 'dev' }));
      files.push(out);
      break;
    case 'keras':
      writeFileAtomic(out, await kerasFileBytes(description));
      files.push(out);
      break;
    case 'h5':
      writeFileAtomic(out, await legacyH5Bytes(description));
      files.push(out);
      break;
  }
  context.emit({
    type: 'exported',
    format: args.format,
    path: out,
    files,
    checkpoint: dir,
    epoch: metadata.epoch,
    classes: description.classes,
    imageSize: description.imageSize,
  });
  return { status: 'completed', exitCode: EXIT.ok };
}
