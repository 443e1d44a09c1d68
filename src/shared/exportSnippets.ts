/**
 * "Use this model": a short, correct program per export format that loads the exported file, prepares an image the
 * way the trainer does (RGB, resized to the training size, values 0..255: the model rescales them itself) and
 * prints the class probabilities in the model's class order. Shown by the extension after an export.
 */
import type { ExportFormat } from './exportFormats';

export interface UsageSnippet {
  /** A VS Code language id for the document that shows it. */
  language: 'python' | 'javascript';
  title: string;
  text: string;
}

export interface SnippetOptions {
  format: ExportFormat;
  /** The exported file, or the tfjs folder. */
  path: string;
  classes: readonly string[];
  imageSize: number;
}

const json = (value: unknown) => JSON.stringify(value);

/** The snippets for a format: Python and Node for ONNX, one for the others. */
export function usageSnippets(options: SnippetOptions): UsageSnippet[] {
  const { path, classes, imageSize } = options;
  const classList = json(classes);
  const binary = classes.length === 2;
  const kerasOutput = binary
    ? `p = float(model.predict(x)[0][0])  # one sigmoid unit: the probability of ${json(classes[1])}\nprint(dict(zip(CLASSES, [1 - p, p])))`
    : 'print(dict(zip(CLASSES, model.predict(x)[0].tolist())))  # softmax, in CLASSES order';
  switch (options.format) {
    case 'keras':
    case 'h5':
      return [
        {
          language: 'python',
          title: `Keras (Python): ${options.format === 'keras' ? 'Keras 3' : 'TensorFlow 2.x'}`,
          text: `# pip install ${options.format === 'keras' ? 'keras tensorflow' : 'tensorflow'} pillow
import numpy as np
from PIL import Image
${options.format === 'keras' ? 'import keras' : 'from tensorflow import keras'}

CLASSES = ${classList}  # the model's output order
SIZE = ${imageSize}  # the training size: the model takes SIZE x SIZE RGB images, values 0..255

model = keras.models.load_model(${json(path)})
image = Image.open("photo.jpg").convert("RGB").resize((SIZE, SIZE), Image.BILINEAR)
x = np.asarray(image, dtype="float32")[None]  # (1, SIZE, SIZE, 3); the model rescales to 0..1 itself
${kerasOutput}
`,
        },
      ];
    case 'onnx':
      return [
        {
          language: 'python',
          title: 'ONNX Runtime (Python)',
          text: `# pip install onnxruntime pillow numpy
import json
import numpy as np
import onnxruntime as ort
from PIL import Image

session = ort.InferenceSession(${json(path)})
meta = session.get_modelmeta().custom_metadata_map
CLASSES = json.loads(meta["classes"])  # ${classList}
SIZE = int(meta["image_size"])  # ${imageSize}

image = Image.open("photo.jpg").convert("RGB").resize((SIZE, SIZE), Image.BILINEAR)
x = np.asarray(image, dtype="float32")[None]  # "image": (1, SIZE, SIZE, 3), values 0..255
probabilities = session.run(["probabilities"], {"image": x})[0][0]
print(dict(zip(CLASSES, probabilities.tolist())))
`,
        },
        {
          language: 'javascript',
          title: 'ONNX Runtime (Node)',
          text: `// npm install onnxruntime-node sharp
const ort = require('onnxruntime-node');
const sharp = require('sharp');

const CLASSES = ${classList}; // the output order
const SIZE = ${imageSize}; // the model takes SIZE x SIZE RGB images, values 0..255

async function main() {
  const session = await ort.InferenceSession.create(${json(path)});
  const pixels = await sharp('photo.jpg').removeAlpha().resize(SIZE, SIZE, { fit: 'fill' }).raw().toBuffer();
  const image = new ort.Tensor('float32', Float32Array.from(pixels), [1, SIZE, SIZE, 3]);
  const { probabilities } = await session.run({ image });
  console.log(Object.fromEntries(CLASSES.map((name, i) => [name, probabilities.data[i]])));
}
main();
`,
        },
      ];
    case 'tfjs':
      return [
        {
          language: 'javascript',
          title: 'TensorFlow.js (Node or a web page)',
          text: `// npm install @tensorflow/tfjs sharp   (in a web page: tf.browser.fromPixels and an http:// URL)
const tf = require('@tensorflow/tfjs');
const sharp = require('sharp');
const { readFileSync } = require('fs');
const { join } = require('path');

const DIR = ${json(path)};
const CLASSES = ${classList}; // also in model.getUserDefinedMetadata().classes
const SIZE = ${imageSize}; // the model takes SIZE x SIZE RGB images, values 0..255

async function main() {
  const json = JSON.parse(readFileSync(join(DIR, 'model.json'), 'utf8'));
  const weights = readFileSync(join(DIR, json.weightsManifest[0].paths[0]));
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest[0].weights,
    weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
  }));
  const pixels = await sharp('photo.jpg').removeAlpha().resize(SIZE, SIZE, { fit: 'fill' }).raw().toBuffer();
  const output = await model.predict(tf.tensor4d(Float32Array.from(pixels), [1, SIZE, SIZE, 3])).data();
  const probabilities = ${binary ? '[1 - output[0], output[0]]; // one sigmoid unit' : 'Array.from(output); // softmax'}
  console.log(Object.fromEntries(CLASSES.map((name, i) => [name, probabilities[i]])));
}
main();
`,
        },
      ];
  }
}
