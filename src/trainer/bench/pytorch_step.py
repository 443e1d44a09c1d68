"""The seed's Model 2 in PyTorch, timed for `npm run bench` on this CPU, or on a CUDA GPU when the 6th
argument is "cuda" (the same shapes, loss and optimizer as Small Convnet's trainer). A step and a forward pass
are timed in both memory layouts, NCHW (PyTorch's default) and channels_last (NHWC, often much faster on
CPUs); the epoch in the faster one, which is the peer every ratio of the bench uses. Prints one JSON object
on stdout. Needs python3-torch (CPU) or a CUDA build of PyTorch."""
import json
import statistics
import sys
import time

import torch
from torch import nn

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
size = int(sys.argv[2]) if len(sys.argv) > 2 else 180
batch = int(sys.argv[3]) if len(sys.argv) > 3 else 32
train_count = int(sys.argv[4]) if len(sys.argv) > 4 else 2000
val_count = int(sys.argv[5]) if len(sys.argv) > 5 else 1000
device = sys.argv[6] if len(sys.argv) > 6 else "cpu"
torch.set_num_threads(threads)
torch.manual_seed(0)


def model():
    layers = []
    channels = 3
    for i, filters in enumerate([32, 64, 128, 256, 256]):
        layers += [nn.Conv2d(channels, filters, 3), nn.ReLU()]
        if i < 4:
            layers.append(nn.MaxPool2d(2))
        channels = filters
    side = size
    for _ in range(4):
        side = (side - 2) // 2
    side -= 2
    layers += [nn.Flatten(), nn.Dropout(0.5), nn.Linear(256 * side * side, 1), nn.Sigmoid()]
    return nn.Sequential(*layers)


net = model().to(device)
params = sum(p.numel() for p in net.parameters())
# Keras RMSprop (rho 0.9, eps 1e-7 inside the sqrt) is PyTorch RMSprop with alpha=0.9 up to where eps sits.
optimizer = torch.optim.RMSprop(net.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
loss_fn = nn.BCELoss()
x = torch.rand(batch, 3, size, size, device=device)
y = torch.randint(0, 2, (batch, 1), device=device).float()


def sync():
    """GPU work is asynchronous: a timing ends when the device is done."""
    if device == "cuda":
        torch.cuda.synchronize()


def step():
    optimizer.zero_grad()
    loss = loss_fn(net(x), y)
    loss.backward()
    optimizer.step()


def forward():
    with torch.no_grad():
        net.eval()
        net(x)
        net.train()


def median_ms(fn, repeats, warm_up=2):
    for _ in range(warm_up):
        fn()
    times = []
    for _ in range(repeats):
        sync()
        start = time.perf_counter()
        fn()
        sync()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


layouts = {}
for layout, memory_format in [("nchw", torch.contiguous_format), ("channels_last", torch.channels_last)]:
    net.to(memory_format=memory_format)
    x = x.contiguous(memory_format=memory_format)
    layouts[layout] = {"step_ms": median_ms(step, 7), "forward_ms": median_ms(forward, 7)}
best = min(layouts, key=lambda name: layouts[name]["step_ms"])
memory_format = torch.channels_last if best == "channels_last" else torch.contiguous_format
net.to(memory_format=memory_format)
x = x.contiguous(memory_format=memory_format)
sync()
start = time.perf_counter()
for _ in range((train_count + batch - 1) // batch):
    step()
sync()
trained = time.perf_counter()
for _ in range((val_count + batch - 1) // batch):
    forward()
sync()
epoch_s = time.perf_counter() - start
print(json.dumps({
    "torch": torch.__version__,
    "threads": torch.get_num_threads(),
    "device": torch.cuda.get_device_name() if device == "cuda" else "cpu",
    "params": params,
    "layouts": layouts,
    "layout": best,
    "step_ms": layouts[best]["step_ms"],
    "forward_ms": layouts[best]["forward_ms"],
    "epoch_s": epoch_s,
    "epoch_train_s": trained - start,
    "epoch_validation_s": epoch_s - (trained - start),
}))
