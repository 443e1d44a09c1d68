// Before loading Dawn on Linux: the GPU device nodes a Vulkan driver needs (none: `auto` skips WebGPU with a
// one-line reason, no Dawn, no stderr noise), and the Wayland display that Vulkan's window-system code asks for.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gpuDeviceNodes, namesVulkanDrivers, NO_WAYLAND_DISPLAY, quietWaylandDisplay } from '../../src/trainer/backend/webgpu/linuxGpuAccess';
import { openWebGpu } from '../../src/trainer/backend/webgpu/openWebGpu';

describe('gpuDeviceNodes', () => {
  const dev = mkdtempSync(join(tmpdir(), 'sc-dev-'));
  after(() => rmSync(dev, { recursive: true, force: true }));

  test('none in a /dev without GPU nodes (no dri folder; look-alike names do not count)', () => {
    for (const name of ['null', 'nvidiactl', 'nvidia-uvm', 'dxgkrnl', 'tty0']) writeFileSync(join(dev, name), '');
    assert.deepEqual(gpuDeviceNodes(dev), []);
  });

  test('render nodes, NVIDIA GPUs and WSL2 GPU', () => {
    mkdirSync(join(dev, 'dri'));
    for (const name of ['card0', 'renderD128', 'renderD129']) writeFileSync(join(dev, 'dri', name), '');
    for (const name of ['nvidia0', 'nvidia1', 'dxg']) writeFileSync(join(dev, name), '');
    assert.deepEqual(gpuDeviceNodes(dev).sort(), [join(dev, 'dri/renderD128'), join(dev, 'dri/renderD129'), join(dev, 'dxg'), join(dev, 'nvidia0'), join(dev, 'nvidia1')].sort());
  });
});

test('drivers named in the environment (VK_ICD_FILENAMES, VK_DRIVER_FILES) are asked for whatever /dev holds', () => {
  assert.equal(namesVulkanDrivers({}), false);
  assert.equal(namesVulkanDrivers({ VK_ICD_FILENAMES: '' }), false);
  assert.equal(namesVulkanDrivers({ VK_ICD_FILENAMES: '/usr/lib/chromium/vk_swiftshader_icd.json' }), true);
  assert.equal(namesVulkanDrivers({ VK_DRIVER_FILES: '/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json' }), true);
});

test('a Wayland display nobody can reach is named as a path that cannot exist; a reachable one is left alone', () => {
  assert.equal(quietWaylandDisplay({}), NO_WAYLAND_DISPLAY);
  assert.equal(quietWaylandDisplay({ XDG_RUNTIME_DIR: '' }), NO_WAYLAND_DISPLAY);
  assert.equal(quietWaylandDisplay({ XDG_RUNTIME_DIR: 'relative' }), NO_WAYLAND_DISPLAY);
  assert.equal(quietWaylandDisplay({ XDG_RUNTIME_DIR: '/run/user/1000' }), null);
  assert.equal(quietWaylandDisplay({ WAYLAND_DISPLAY: '/run/user/1000/wayland-0' }), null);
  assert.match(NO_WAYLAND_DISPLAY, /^\/dev\/null\//, 'under a file, so never a socket');
});

test('auto on a Linux machine without GPU nodes: a one-line reason before any other check; forced, or with drivers named, no such check', async () => {
  const saved = { VK_ICD_FILENAMES: process.env.VK_ICD_FILENAMES, VK_DRIVER_FILES: process.env.VK_DRIVER_FILES };
  delete process.env.VK_ICD_FILENAMES;
  delete process.env.VK_DRIVER_FILES;
  // No loader either: the GPU check comes first (installing libvulkan1 would not help without a GPU).
  const noLoader = { libraryPath: '', linkerCache: '/nonexistent', libraryDirs: [] };
  try {
    await assert.rejects(openWebGpu({ allowCpuEmulation: false, platform: 'linux', gpuDevices: [], loaderProbe: noLoader }), {
      message: 'no GPU on this machine (no /dev/dri/renderD*, /dev/nvidia* or /dev/dxg device for a Vulkan driver to use)',
    });
    // Forced (--backend webgpu), or drivers named: no GPU check of this project's; the missing loader is named.
    await assert.rejects(openWebGpu({ allowCpuEmulation: true, platform: 'linux', gpuDevices: [], loaderProbe: noLoader }), /^Error: no Vulkan loader/);
    process.env.VK_ICD_FILENAMES = '/usr/lib/chromium/vk_swiftshader_icd.json';
    await assert.rejects(openWebGpu({ allowCpuEmulation: false, platform: 'linux', gpuDevices: [], loaderProbe: noLoader }), /^Error: no Vulkan loader/);
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
});
