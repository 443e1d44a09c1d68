/**
 * `small-convnet activations <run-or-checkpoint> <image> [--layer NAME] [--out DIR]`: the feature maps of each
 * convolution and pooling layer for one image (explain/featureMaps.ts), a grid PNG per layer of its first 16
 * channels (<run>/activations/<image>/<layer>.png), and one `activations` message naming them.
 */
import { basename, extname, join, resolve } from 'node:path';
import { selectBackend } from '../backend/selectBackend';
import { decodeImage } from '../data/decodeImage';
import type { ActivationsArgs } from '../cli/args';
import { featureGrid, featureMaps } from '../explain/featureMaps';
import { pngBytes } from '../explain/heatmapImage';
import { EXIT } from '../../shared/trainerErrors';
import { loadCheckpoint, resolveCheckpoint } from '../train/checkpointStore';
import { writeFileAtomic } from '../util/atomicWrite';
import { UserError } from '../util/errors';
import { makeDirectory } from '../util/makeDirectory';
import type { CommandContext, CommandResult } from './commandContext';
import { listImages } from './predictCommand';
import { outputFolderOf } from './outputFolder';

export async function activationsCommand(args: ActivationsArgs, context: CommandContext): Promise<CommandResult> {
  const target = resolve(args.checkpoint);
  const resolved = resolveCheckpoint(target);
  const [file] = listImages([args.image]);
  const backend = await selectBackend(args.backend);
  context.emit({ type: 'backend', ...backend });
  const { metadata, model } = await loadCheckpoint({ target });
  const size = metadata.imageSize;
  const maps = featureMaps({ model, pixels: await decodeImage({ file, height: size, width: size }), size });
  model.dispose();
  const chosen = args.layer === undefined ? maps : maps.filter((map) => map.name === args.layer);
  if (chosen.length === 0) {
    throw new UserError('bad-setting', `--layer ${args.layer} is not a convolution or pooling layer of the model: ${maps.map((m) => m.name).join(', ')}.`);
  }
  const outDir = join(outputFolderOf({ out: args.out, checkpointDir: resolved.dir, folder: 'activations' }), basename(file, extname(file)));
  makeDirectory(outDir);
  const layers = [];
  for (const map of chosen) {
    const grid = featureGrid(map);
    const png = join(outDir, `${map.name}.png`);
    writeFileAtomic(png, await pngBytes(grid));
    layers.push({ name: map.name, kind: map.kind, shape: map.shape, channels: grid.channels, file: png });
  }
  context.emit({ type: 'activations', file, layers });
  return { status: 'completed', exitCode: EXIT.ok };
}
