/**
 * The checkpoint as an ONNX model (opset 13): input `image`, float32 [batch, H, W, 3] with pixel values 0..255
 * (RGB, resized to the training size as the trainer resizes: bilinear, aspect ratio not kept); the rescaling
 * inside; augmentation and dropout left out (inference); output `probabilities`, float32 [batch, classes] in
 * the order of the metadata's `classes` (a 2-class model's sigmoid unit gives [1 - p, p], as the trainer's
 * predict says it). Keras flattens channels-last, so the features go back to NHWC before Flatten and the Dense
 * weights keep their order. Encoded with onnx-proto (protobufjs code generated from onnx.proto).
 */
import { onnx } from 'onnx-proto';
import type { ExportedModel } from './exportedModel';

const FLOAT = 1;

/** float32 values as a TensorProto (raw little-endian bytes). */
function floatTensor(name: string, dims: number[], values: Float32Array): onnx.ITensorProto {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((value, i) => view.setFloat32(i * 4, value, true));
  return { name, dims, dataType: FLOAT, rawData: bytes };
}

/** HWIO (Keras' Conv2D kernel) to OIHW (ONNX Conv's W). */
function toOihw(kernel: Float32Array, kh: number, kw: number, inC: number, outC: number): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < inC; i++)
        for (let o = 0; o < outC; o++) out[((o * inC + i) * kh + y) * kw + x] = kernel[((y * kw + x) * inC + i) * outC + o];
  return out;
}

function attribute(name: string, ints: number[]): onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints };
}

function valueInfo(name: string, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  };
}

export function onnxModelBytes(model: ExportedModel, options: { producerVersion: string }): Uint8Array {
  const nodes: onnx.INodeProto[] = [];
  const initializers: onnx.ITensorProto[] = [];
  let current = 'image';
  let counter = 0;
  const node = (opType: string, inputs: string[], attributes: onnx.IAttributeProto[] = [], name = `${opType.toLowerCase()}_${++counter}`): string => {
    const output = name;
    nodes.push({ opType, input: inputs, output: [output], name, attribute: attributes });
    return output;
  };
  let channelsFirst = false;
  for (const layer of model.layers) {
    switch (layer.kind) {
      case 'rescaling': {
        initializers.push(floatTensor(`${layer.name}/scale`, [], new Float32Array([layer.scale])));
        current = node('Mul', [current, `${layer.name}/scale`], [], layer.name);
        if (layer.offset !== 0) {
          initializers.push(floatTensor(`${layer.name}/offset`, [], new Float32Array([layer.offset])));
          current = node('Add', [current, `${layer.name}/offset`], [], `${layer.name}/add`);
        }
        break;
      }
      case 'conv2d': {
        if (!channelsFirst) {
          current = node('Transpose', [current], [attribute('perm', [0, 3, 1, 2])], 'to_nchw');
          channelsFirst = true;
        }
        const [kh, kw] = layer.kernelSize;
        initializers.push(floatTensor(`${layer.name}/kernel`, [layer.filters, layer.inChannels, kh, kw], toOihw(layer.kernel, kh, kw, layer.inChannels, layer.filters)));
        initializers.push(floatTensor(`${layer.name}/bias`, [layer.filters], layer.bias));
        current = node('Conv', [current, `${layer.name}/kernel`, `${layer.name}/bias`], [attribute('kernel_shape', [kh, kw]), attribute('strides', [1, 1])], layer.name);
        current = node('Relu', [current], [], `${layer.name}/relu`);
        break;
      }
      case 'maxPooling2d':
        current = node('MaxPool', [current], [attribute('kernel_shape', layer.poolSize), attribute('strides', layer.strides)], layer.name);
        break;
      case 'flatten':
        if (channelsFirst) {
          current = node('Transpose', [current], [attribute('perm', [0, 2, 3, 1])], 'to_nhwc');
          channelsFirst = false;
        }
        current = node('Flatten', [current], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }], layer.name);
        break;
      case 'dropout':
        // Inactive at inference.
        break;
      case 'dense': {
        initializers.push(floatTensor(`${layer.name}/kernel`, [layer.inputs, layer.units], layer.kernel));
        initializers.push(floatTensor(`${layer.name}/bias`, [layer.units], layer.bias));
        current = node('Gemm', [current, `${layer.name}/kernel`, `${layer.name}/bias`], [], layer.name);
        if (layer.activation === 'softmax') {
          current = node('Softmax', [current], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 }], 'probabilities');
        } else {
          const p = node('Sigmoid', [current], [], `${layer.name}/sigmoid`);
          initializers.push(floatTensor('one', [], new Float32Array([1])));
          const q = node('Sub', ['one', p], [], `${layer.name}/complement`);
          current = node('Concat', [q, p], [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }], 'probabilities');
        }
        break;
      }
    }
  }
  const proto = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'small-convnet',
    producerVersion: options.producerVersion,
    docString: `${model.name}: ${model.classes.join(' / ')} from ${model.imageSize}x${model.imageSize} RGB images, pixel values 0..255 (NHWC).`,
    graph: {
      name: model.name,
      node: nodes,
      initializer: initializers,
      input: [valueInfo('image', ['batch', model.imageSize, model.imageSize, 3])],
      output: [valueInfo(current, ['batch', model.classes.length])],
    },
    metadataProps: [
      { key: 'classes', value: JSON.stringify(model.classes) },
      { key: 'image_size', value: String(model.imageSize) },
      { key: 'input', value: 'image: float32 [batch, height, width, 3], RGB values 0..255, resized to image_size x image_size (bilinear)' },
      { key: 'output', value: 'probabilities: float32 [batch, classes], in the order of "classes"' },
    ],
  });
  return onnx.ModelProto.encode(proto).finish();
}
