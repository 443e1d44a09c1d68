/** The formats `small-convnet export` writes: one table for the CLI, the protocol and the editor's format pick. */

export const EXPORT_FORMAT_IDS = ['keras', 'h5', 'onnx', 'tfjs'] as const;
export type ExportFormat = (typeof EXPORT_FORMAT_IDS)[number];

export const EXPORT_FORMATS: Readonly<Record<ExportFormat, { title: string; extension: string; description: string; folder: boolean }>> = {
  keras: { title: 'Keras (.keras)', extension: '.keras', description: 'Keras 3: keras.models.load_model in Python', folder: false },
  h5: { title: 'Keras HDF5 (.h5)', extension: '.h5', description: 'the legacy HDF5 format of TensorFlow 2.x (tf.keras)', folder: false },
  onnx: { title: 'ONNX (.onnx)', extension: '.onnx', description: 'ONNX Runtime in Python, Node, C#, C++, mobile and the web', folder: false },
  tfjs: { title: 'TensorFlow.js (folder)', extension: '-tfjs', description: 'model.json and weights for tf.loadLayersModel in a web page or Node', folder: true },
};

export function isExportFormat(value: unknown): value is ExportFormat {
  return typeof value === 'string' && (EXPORT_FORMAT_IDS as readonly string[]).includes(value);
}
