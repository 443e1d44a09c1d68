/**
 * Saving and loading checkpoints in the tfjs layers format (model.json + weights.bin), crash-safe:
 * a checkpoint folder is complete before it gets its final name, and best.json moves to it only then.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, isAbsolute, join, normalize } from 'node:path';
import {
  checkpointMetadataSchema,
  BEST_FILE,
  CHECKPOINT_METADATA_FILE,
  CHECKPOINTS_DIR,
  isCheckpointPath,
  MODEL_FILE,
  WEIGHTS_FILE,
  type CheckpointMetadata,
} from '../../shared/runFiles';
import { tempFileTarget } from '../../shared/tempFiles';
import { commitDir, tempNameFor, writeFileAtomic, writeJsonAtomic } from '../util/atomicWrite';
import { describeError, UserError } from '../util/errors';
import { faultAt, killNow } from '../util/testFaults';
import { makeDirectory } from '../util/makeDirectory';
import { readCheckedJson } from '../util/readCheckedJson';
import { isPlainObject } from '../../shared/schema';

export function checkpointName(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, '0')}`;
}

/** An IOHandler that hands the model's artifacts to `onSave` instead of a browser or network store. */
function captureArtifacts(onSave: (artifacts: tf.io.ModelArtifacts) => void): tf.io.IOHandler {
  return {
    save: async (artifacts) => {
      onSave(artifacts);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    },
  };
}

export interface SaveCheckpointOptions {
  model: tfl.LayersModel;
  runDir: string;
  metadata: Omit<CheckpointMetadata, 'checkpoint' | 'savedAt' | 'version'>;
}

/**
 * A folder name under checkpoints/ for the epoch that is not taken: `epoch-NNNN`, or `epoch-NNNN-2`, ... when
 * an epoch is trained again after a crash and its earlier checkpoint (which best.json may still name) is there.
 */
function freeCheckpointName(root: string, epoch: number): string {
  const base = checkpointName(epoch);
  for (let n = 1; ; n++) {
    const name = n === 1 ? base : `${base}-${n}`;
    if (!existsSync(join(root, name))) return name;
  }
}

/**
 * Writes checkpoints/epoch-NNNN, then points best.json at it, then removes older checkpoints. A checkpoint
 * best.json names is never removed or replaced before best.json names another complete one.
 * Returns the checkpoint folder.
 */
export async function saveBestCheckpoint(options: SaveCheckpointOptions): Promise<string> {
  const { model, runDir } = options;
  const root = join(runDir, CHECKPOINTS_DIR);
  makeDirectory(root);
  const name = freeCheckpointName(root, options.metadata.epoch);
  const finalDir = join(root, name);
  const tempDir = tempNameFor(finalDir);
  rmSync(tempDir, { recursive: true, force: true });
  mkdirSync(tempDir);
  try {
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(captureArtifacts((a) => (artifacts = a)));
    if (!artifacts?.weightSpecs || !artifacts.weightData) throw new Error('the model produced no weights to save');
    const metadata: CheckpointMetadata = {
      version: 1,
      ...options.metadata,
      checkpoint: `${CHECKPOINTS_DIR}/${name}`,
      savedAt: new Date().toISOString(),
    };
    const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
    writeFileAtomic(join(tempDir, WEIGHTS_FILE), weights);
    writeJsonAtomic(join(tempDir, MODEL_FILE), {
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
      convertedBy: null,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs }],
    });
    writeJsonAtomic(join(tempDir, CHECKPOINT_METADATA_FILE), metadata);
    commitDir(tempDir, finalDir);
    writeJsonAtomic(join(runDir, BEST_FILE), metadata);
  } catch (error) {
    // best.json still names the previous checkpoint: nothing of this one is kept.
    rmSync(tempDir, { recursive: true, force: true });
    rmSync(finalDir, { recursive: true, force: true });
    throw error;
  }
  for (const entry of readdirSync(root)) {
    if (entry !== name) removeCheckpointDir(join(root, entry));
  }
  return finalDir;
}

/**
 * Removes an older checkpoint folder so that a kill at any moment leaves it either complete or invisible: it is
 * first renamed to a hidden temporary name (atomic), then deleted; a leftover temporary folder is removed by the
 * next trainer in the run (the run folder's crash cleanup), and no reader lists it.
 */
function removeCheckpointDir(dir: string): void {
  let doomed = dir;
  if (tempFileTarget(basename(dir)) === null) {
    doomed = tempNameFor(dir);
    try {
      renameSync(dir, doomed);
    } catch {
      doomed = dir;
    }
  }
  if (faultAt(doomed) === 'kill') killNow();
  rmSync(doomed, { recursive: true, force: true });
}

/** best.json of a run, or null when the run has not saved a checkpoint yet. */
export function readBestMetadata(runDir: string): CheckpointMetadata | null {
  const file = join(runDir, BEST_FILE);
  if (!existsSync(file)) return null;
  return parseMetadata(file);
}

function parseMetadata(file: string): CheckpointMetadata {
  const fix = 'Delete the run or train again.';
  // A path out of the run is named as what it is: a checkpoint this run must not read.
  const outside = (value: unknown): string | null =>
    isPlainObject(value) && typeof value.checkpoint === 'string' && !isCheckpointPath(value.checkpoint)
      ? `${file} names the checkpoint folder ${JSON.stringify(value.checkpoint)}, which is not a folder under ${CHECKPOINTS_DIR}/ of its run; it is not read. ${fix}`
      : null;
  return readCheckedJson({ file, schema: checkpointMetadataSchema, code: 'bad-checkpoint', fix, explain: outside });
}

/**
 * Resolves what the user pointed at (a run folder, a checkpoint folder or its model.json) to the
 * checkpoint folder and its metadata.
 */
export function resolveCheckpoint(target: string): { dir: string; metadata: CheckpointMetadata } {
  if (!existsSync(target)) {
    throw new UserError('not-found', `Checkpoint ${target} does not exist. Pass a run folder or a checkpoint folder.`);
  }
  if (basename(target) === MODEL_FILE) target = join(target, '..');
  if (existsSync(join(target, BEST_FILE))) {
    const metadata = parseMetadata(join(target, BEST_FILE));
    return { dir: join(target, metadata.checkpoint), metadata };
  }
  if (existsSync(join(target, CHECKPOINT_METADATA_FILE)) && existsSync(join(target, MODEL_FILE))) {
    return { dir: target, metadata: parseMetadata(join(target, CHECKPOINT_METADATA_FILE)) };
  }
  throw new UserError(
    'bad-checkpoint',
    `${target} holds no checkpoint (no ${BEST_FILE}, or no ${MODEL_FILE} + ${CHECKPOINT_METADATA_FILE}). ` +
      'A run saves its first checkpoint at the end of its first epoch.',
  );
}

/**
 * Resolves and loads the checkpoint `target` names. While a run trains, its best.json may move on to a newer
 * checkpoint and the older one is deleted right after: a load that fails because of that follows best.json to
 * the newer checkpoint (issue 15, item 7) instead of failing with ENOENT. Any other failure is reported.
 */
export async function loadCheckpoint(options: {
  target: string;
  /** The loader (the real one by default; tests interleave a training run's moves). */
  loadModel?: (dir: string) => Promise<tfl.LayersModel>;
}): Promise<{ dir: string; metadata: CheckpointMetadata; model: tfl.LayersModel }> {
  const load = options.loadModel ?? loadCheckpointModel;
  for (let attempt = 1; ; attempt++) {
    const resolved = resolveCheckpoint(options.target);
    try {
      return { ...resolved, model: await load(resolved.dir) };
    } catch (error) {
      const now = attempt < 5 && existsSync(options.target) ? resolveCheckpoint(options.target) : null;
      if (now === null || now.dir === resolved.dir) throw error;
    }
  }
}

/** A checkpoint folder's model.json and its weights, read from the files its manifest names inside the folder. */
function readCheckpointFiles(dir: string): { json: tf.io.ModelJSON; weightSpecs: tf.io.WeightsManifestEntry[]; weightData: ArrayBuffer } {
  const json = JSON.parse(readFileSync(join(dir, MODEL_FILE), 'utf8')) as tf.io.ModelJSON;
  const manifest = json.weightsManifest ?? [];
  const weightSpecs = manifest.flatMap((group) => group.weights);
  const buffers = manifest.flatMap((group) =>
    group.paths.map((p) => {
      if (isAbsolute(p) || normalize(p).split(/[\\/]/).includes('..')) {
        throw new Error(`weights path "${p}" points outside the checkpoint folder`);
      }
      const bytes = readFileSync(join(dir, p));
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    }),
  );
  return { json, weightSpecs, weightData: tf.io.concatenateArrayBuffers(buffers) };
}

/** Loads the model of a checkpoint folder. */
export async function loadCheckpointModel(dir: string): Promise<tfl.LayersModel> {
  try {
    const { json, weightSpecs, weightData } = readCheckpointFiles(dir);
    return await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData }));
  } catch (error) {
    throw new UserError('bad-checkpoint', `Cannot load the checkpoint in ${dir}: ${describeError(error)}.`);
  }
}

/** A checkpoint's weights as flat arrays in model.getWeights() order (the order the model saved them), without a backend. */
export function readCheckpointWeights(dir: string): Float32Array[] {
  try {
    const { weightSpecs, weightData } = readCheckpointFiles(dir);
    const weights: Float32Array[] = [];
    let offset = 0;
    for (const spec of weightSpecs) {
      if (spec.dtype !== undefined && spec.dtype !== 'float32') throw new Error(`weight ${spec.name} is ${spec.dtype}, not float32`);
      const count = spec.shape.reduce((n, d) => n * d, 1);
      if (offset + count * 4 > weightData.byteLength) throw new Error(`${WEIGHTS_FILE} ends before weight ${spec.name}`);
      weights.push(new Float32Array(weightData.slice(offset, offset + count * 4)));
      offset += count * 4;
    }
    if (offset !== weightData.byteLength) throw new Error(`${WEIGHTS_FILE} holds ${weightData.byteLength} bytes; model.json's weights take ${offset}`);
    return weights;
  } catch (error) {
    throw new UserError('bad-checkpoint', `Cannot read the weights of the checkpoint in ${dir}: ${describeError(error)}.`);
  }
}
