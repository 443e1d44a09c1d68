/** `small-convnet --help` and `small-convnet <command> --help`. */
import { BACKEND_REQUESTS } from '../../shared/backends';
import { MIN_IMAGE_SIZE } from '../../shared/recipes';

const GENERAL = `small-convnet: train a small image convnet on a small dataset (Deep Learning with Python, ch. 8.2)

Usage: small-convnet <command> [options]

Commands:
  train [DATA]            Train Model 1 (--recipe scratch) or Model 2 (--recipe augmented).
                          Without DATA: the built-in demo data, 16 epochs at 80 px.
  resume <RUN>            Continue a stopped run from its last finished epoch.
  prepare <SOURCE>        Copy train/validation/test subsets out of a folder of images.
  evaluate <RUN|CKPT>     Test-set loss, accuracy, confusion matrix and worst mistakes.
  predict <RUN|CKPT> <IMAGE|FOLDER>...
                          Class probabilities for images.
  preview <IMAGE>         Write augmented versions of one image (the seed's 3x3 grid).
  export <RUN|CKPT> --format keras|h5|onnx|tfjs
                          The model for Keras, ONNX Runtime or TensorFlow.js.
  explain <RUN|CKPT> <IMAGE|FOLDER>...
                          Where the model looked: a Grad-CAM heatmap per image.
  activations <RUN|CKPT> <IMAGE>
                          What each conv and pooling layer computes for an image.

Common options:
  --backend ${BACKEND_REQUESTS.join('|')}   (default auto: the fastest that loads)
  --json                  JSON lines on stdout (the default when stdout is not a terminal)
  -o, --out DIR           Work folder for data/, runs/, preview/ (default ./small-convnet-work)
  -h, --help              Help for a command: small-convnet train --help

Exit codes: 0 done, 1 internal error, 2 bad usage, 3 bad data or setting (or an output folder
            that cannot be written), 4 no backend, 5 training diverged (loss NaN or exploded),
            130 cancelled, 143 terminated (SIGTERM).
Stdin (when not a terminal): send {"type":"cancel"} to stop after the current batch.`;

const TOPICS: Record<string, string> = {
  train: `Usage: small-convnet train [DATA] [options]

DATA is one of:
  (nothing)               the built-in demo: synthetic images generated in <out>/demo
  a prepared folder       holding train/ and validation/ (and test/) with one sub-folder per class
  a source folder         Kaggle-style flat (cat.1.jpg, dog.1.jpg, ...) or one sub-folder per class;
                          prepared first into <out>/data/<name>-<split> (see prepare)

Options:
  -r, --recipe scratch|augmented   Model 1 (default) or Model 2: augmentation + Dropout(0.5)
  -e, --epochs N          default: 30 (scratch), 100 (augmented), 16 for the demo
  --image-size N          square side in pixels, >= ${MIN_IMAGE_SIZE} (default 180, demo 80)
  --batch-size N          default 32
  --learning-rate X       RMSprop learning rate (default 0.001; rho 0.9, epsilon 1e-7)
  --seed N                shuffling, augmentation and initial weights (default 1337)
  --split T/V/T           per-class counts when DATA is a source folder (default 1000/500/1000)
  --replace               allow replacing a subsets folder prepared with other options
  --workers N             worker threads for the wasm/cpu backends (default: one per core)
  --backend, --json, --out  as for every command

Writes <out>/runs/<time>-<recipe>/: run.json, history.json (every epoch), best.json and
checkpoints/epoch-NNNN/ (tfjs layers model, best val_loss only), augmentation/ (Model 2),
resume-state.bin (weights + optimizer state after the last finished epoch: see resume).`,
  resume: `Usage: small-convnet resume <RUN> [--epochs N] [--workers N] [--backend B] [--json]

Continues a cancelled, killed or crashed run from the end of its last finished epoch, with the
settings, data and seed in its run.json: the same batches, augmentations and dropout masks as an
uninterrupted run, so its history comes out the same up to float rounding. An epoch that was cut
off is trained again from its start. --epochs N sets a new total (to train a finished run further).
Refused while another trainer works in the run folder (its trainer.lock names the process).`,
  prepare: `Usage: small-convnet prepare <SOURCE> [--out DIR] [--split 1000/500/1000] [--replace]

Copies (never moves) per class the first T images to train/, the next V to validation/ and
the next T to test/, like the seed's make_subset, and writes small-convnet-manifest.json.
SOURCE is Kaggle-style flat (CLASS.N.jpg, ordered by N) or one sub-folder per class.
--out is the subsets folder (default ./small-convnet-work/data/<name>-<split>).
Running it again with the same options copies nothing.`,
  evaluate: `Usage: small-convnet evaluate <RUN|CHECKPOINT> [--data DIR] [--backend B] [--json]

Loads the run's best checkpoint (or the checkpoint folder given) and evaluates it on the run's
test subset, or on --data (a folder with test/, or with one sub-folder per class).
Prints loss, accuracy, the confusion matrix, per-class accuracy and the most confidently wrong
images; writes <run>/evaluation.json.`,
  predict: `Usage: small-convnet predict <RUN|CHECKPOINT> <IMAGE|FOLDER>... [--backend B] [--json]

Class probabilities for each image (folders are searched recursively).`,
  preview: `Usage: small-convnet preview <IMAGE> [--count 9] [--image-size 180] [--seed N] [--out DIR]

Writes COUNT randomly augmented versions of IMAGE (RandomFlip horizontal, RandomRotation 0.1,
RandomZoom 0.2) as PNG files and a 3-per-row grid.png to <out>/preview/<image name>/.`,
  export: `Usage: small-convnet export <RUN|CHECKPOINT> --format keras|h5|onnx|tfjs [--out FILE_OR_DIR] [--force]

Writes the run's best checkpoint (or the checkpoint folder given, also as --checkpoint DIR) as:
  keras   a Keras 3 .keras file (keras.models.load_model): the seed's model with these weights,
          augmentation layers included (inactive at inference)
  h5      the legacy HDF5 file of TensorFlow 2.x (tf.keras.models.load_model)
  onnx    an ONNX model (opset 13): input "image" float32 [batch, H, W, 3] with RGB values 0..255,
          output "probabilities" [batch, classes]; the class names are in its metadata
  tfjs    a folder with model.json and weights.bin for tf.loadLayersModel
Default --out: <run>/exports/<run id>-<checkpoint>.<format>. An existing output is refused unless --force.
Nothing half-written is left: files are written under a temporary name and renamed when complete.`,
  explain: `Usage: small-convnet explain <RUN|CHECKPOINT> <IMAGE|FOLDER>... [--class NAME] [--out DIR] [--backend B] [--json]

For each image, the best checkpoint's prediction and a Grad-CAM heatmap (Deep Learning with Python, 9.4.3):
which regions of the last convolution layer's grid pushed the class's score up. --class explains that class
(default: the predicted one). Writes <run>/explanations/<image>-gradcam.png (the image with the heatmap
blended in, inferno colours: yellow = most) or into --out.`,
  activations: `Usage: small-convnet activations <RUN|CHECKPOINT> <IMAGE> [--layer NAME] [--out DIR] [--backend B] [--json]

The outputs of every convolution and pooling layer for one image (Deep Learning with Python, 9.4.1), a grid
of the first 16 channels per layer, each normalised: <run>/activations/<image>/<layer>.png (or --out).`,
};

export function helpText(topic?: string): string {
  return (topic && TOPICS[topic]) || GENERAL;
}
