"""An independent reader of Small Convnet's Keras exports (test/export/export.test.ts): h5py reads the files,
PyTorch computes. Keras itself does not install on Debian (no TensorFlow package), so this stands in for
keras.models.load_model: it builds the model from the exported architecture (config.json of a .keras file, the
model_config attribute of a legacy .h5) and loads the exported weights, then predicts.

Usage: keras_reader.py MODEL_FILE PIXELS_FILE N SIZE WEIGHTS_OUT
  PIXELS_FILE: float32 [N, SIZE, SIZE, 3] raw, RGB 0..255. WEIGHTS_OUT: every weight's float32 values, in the
  order printed, written raw (the test compares them with the checkpoint's, byte for byte).
Prints JSON: {"layers": [[class_name, name]], "weights": [[layer, variable, shape]], "probabilities": [[...]]}.
"""
import io
import json
import sys
import zipfile

import h5py
import numpy as np
import torch
from torch import nn

path, pixels_path, count, size, weights_out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]


def keras3(path):
    archive = zipfile.ZipFile(path)
    config = json.loads(archive.read("config.json"))
    h5 = h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r")

    def weights(name):
        group = h5["layers"][name]["vars"]
        return [np.array(group[str(i)]) for i in range(len(group.keys()))]

    return config["config"]["layers"], weights, ["kernel", "bias"]


def legacy(path):
    h5 = h5py.File(path, "r")
    config = json.loads(h5.attrs["model_config"])
    group = h5["model_weights"]

    def weights(name):
        if name not in group or "weight_names" not in group[name].attrs:
            return []
        names = [n.decode() if isinstance(n, bytes) else n for n in group[name].attrs["weight_names"]]
        return [np.array(group[name][n]) for n in names]

    return config["config"]["layers"], weights, ["kernel:0", "bias:0"]


layers, weights_of, variable_names = (keras3 if path.endswith(".keras") else legacy)(path)
modules = []
report = {"layers": [], "weights": []}
dumped = []
for layer in layers:
    kind, config = layer["class_name"], layer["config"]
    name = config["name"]
    report["layers"].append([kind, name])
    values = weights_of(name) if kind in ("Conv2D", "Dense") else []
    for variable, array in zip(variable_names, values):
        report["weights"].append([name, variable, list(array.shape)])
        dumped.append(array.astype("<f4").ravel())
    if kind in ("InputLayer", "RandomFlip", "RandomRotation", "RandomZoom", "Dropout"):
        continue  # inactive at inference
    if kind == "Rescaling":
        scale, offset = float(config["scale"]), float(config.get("offset", 0.0))
        modules.append(("rescale", lambda x, s=scale, o=offset: x * s + o))
        modules.append(("nchw", lambda x: x.permute(0, 3, 1, 2)))
    elif kind == "Conv2D":
        kernel, bias = values
        conv = nn.Conv2d(kernel.shape[2], kernel.shape[3], tuple(config["kernel_size"]), padding=0)
        conv.weight.data = torch.from_numpy(kernel).permute(3, 2, 0, 1).contiguous()
        conv.bias.data = torch.from_numpy(bias)
        modules.append((name, conv))
        if config["activation"] == "relu":
            modules.append(("relu", torch.relu))
    elif kind == "MaxPooling2D":
        modules.append((name, nn.MaxPool2d(tuple(config["pool_size"]), tuple(config["strides"]))))
    elif kind == "Flatten":
        # Keras flattens channels-last.
        modules.append((name, lambda x: x.permute(0, 2, 3, 1).reshape(x.shape[0], -1)))
    elif kind == "Dense":
        kernel, bias = values
        dense = nn.Linear(kernel.shape[0], kernel.shape[1])
        dense.weight.data = torch.from_numpy(kernel).t().contiguous()
        dense.bias.data = torch.from_numpy(bias)
        modules.append((name, dense))
        modules.append(("activation", torch.sigmoid if config["activation"] == "sigmoid" else (lambda x: torch.softmax(x, dim=1))))
    else:
        raise SystemExit(f"unknown layer {kind}")

x = torch.from_numpy(np.fromfile(pixels_path, dtype="<f4").reshape(count, size, size, 3))
with torch.no_grad():
    for _, module in modules:
        x = module(x)
report["probabilities"] = x.double().tolist()
np.concatenate(dumped).tofile(weights_out)
print(json.dumps(report))
