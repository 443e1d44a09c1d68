// What the webgpu backend decides before it touches a GPU: which adapters are CPU emulations, how an
// adapter is named on the backend line, and where the Vulkan loader is looked for (pure logic and files).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { adapterLabel, cpuEmulationName, graphicsApi } from '../../src/trainer/backend/webgpu/gpuAdapter';
import { findVulkanLoader, pathsInLinkerCache, VULKAN_LOADER } from '../../src/trainer/backend/webgpu/vulkanLoader';

// What Dawn reported here for SwiftShader (Debian chromium's Vulkan driver), and for adapters seen elsewhere.
const SWIFTSHADER = { vendor: 'google', architecture: 'swiftshader', device: 'swiftshader-device-subzero-', description: 'SwiftShader driver 5.0.0', isFallbackAdapter: true };
const NVIDIA = { vendor: 'nvidia', architecture: 'hopper', device: '', description: 'NVIDIA H100 80GB HBM3', isFallbackAdapter: false };
const LAVAPIPE = { vendor: 'mesa', architecture: '', device: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' };
const APPLE = { vendor: 'apple', architecture: 'metal-3', device: '', description: 'Apple M2 Pro' };

describe('cpuEmulationName', () => {
  test('names the CPU emulations and passes real GPUs', () => {
    assert.equal(cpuEmulationName(SWIFTSHADER), 'SwiftShader');
    assert.equal(cpuEmulationName(LAVAPIPE), 'llvmpipe');
    assert.equal(cpuEmulationName({ vendor: 'microsoft', architecture: '', device: '', description: 'Microsoft Basic Render Driver' }), 'WARP');
    assert.equal(cpuEmulationName(NVIDIA), null);
    assert.equal(cpuEmulationName(APPLE), null);
  });

  test('an adapter the driver calls a fallback adapter counts as an emulation whatever its name', () => {
    assert.match(cpuEmulationName({ vendor: 'acme', architecture: '', device: '', description: 'Acme renderer', isFallbackAdapter: true }) ?? '', /fallback/);
  });
});

describe('adapterLabel', () => {
  test('vendor, model and the graphics API of the system', () => {
    assert.equal(adapterLabel(NVIDIA, 'linux'), 'NVIDIA H100 80GB HBM3 (Vulkan)');
    assert.equal(adapterLabel(APPLE, 'darwin'), 'Apple M2 Pro (Metal)');
    assert.equal(adapterLabel(SWIFTSHADER, 'linux'), 'Google SwiftShader driver 5.0.0 (Vulkan)');
    assert.equal(adapterLabel({ vendor: 'amd', architecture: 'rdna-3', device: '', description: '' }, 'win32'), 'AMD rdna-3 (D3D12)');
    assert.equal(graphicsApi('freebsd'), 'Vulkan');
  });
});

describe('findVulkanLoader', () => {
  const root = mkdtempSync(join(tmpdir(), 'vulkan-loader-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const noCache = join(root, 'no-ld.so.cache');

  test('LD_LIBRARY_PATH first, then the usual folders; none is null', () => {
    const fromPath = join(root, 'from-path');
    const usual = join(root, 'usual');
    mkdirSync(fromPath);
    mkdirSync(usual);
    assert.equal(findVulkanLoader({ libraryPath: fromPath, linkerCache: noCache, libraryDirs: [usual] }), null);
    writeFileSync(join(usual, VULKAN_LOADER), 'ELF');
    assert.equal(findVulkanLoader({ libraryPath: `:${fromPath}:`, linkerCache: noCache, libraryDirs: [usual] }), join(usual, VULKAN_LOADER));
    writeFileSync(join(fromPath, VULKAN_LOADER), 'ELF');
    assert.equal(findVulkanLoader({ libraryPath: fromPath, linkerCache: noCache, libraryDirs: [usual] }), join(fromPath, VULKAN_LOADER));
  });

  test('a path in the linker cache counts only if it is a non-empty regular file', () => {
    const dir = join(root, 'cached');
    mkdirSync(dir);
    const cache = join(root, 'ld.so.cache');
    writeFileSync(cache, Buffer.from(`glibc-ld.so.cache1.1\0libvulkan.so.1\0${dir}/${VULKAN_LOADER}\0libm.so.6\0/lib/libm.so.6\0`, 'latin1'));
    assert.deepEqual(pathsInLinkerCache(Buffer.from(`x\0/a/${VULKAN_LOADER}\0/b/libvulkan.so.10\0/a/${VULKAN_LOADER}\0`), VULKAN_LOADER), [`/a/${VULKAN_LOADER}`]);
    assert.equal(findVulkanLoader({ linkerCache: cache, libraryDirs: [] }), null, 'listed but missing');
    symlinkSync(join(dir, 'gone.so'), join(dir, VULKAN_LOADER));
    assert.equal(findVulkanLoader({ linkerCache: cache, libraryDirs: [] }), null, 'a dangling link');
    rmSync(join(dir, VULKAN_LOADER));
    writeFileSync(join(dir, VULKAN_LOADER), '');
    assert.equal(findVulkanLoader({ linkerCache: cache, libraryDirs: [] }), null, 'an empty file');
    writeFileSync(join(dir, VULKAN_LOADER), 'ELF');
    assert.equal(findVulkanLoader({ linkerCache: cache, libraryDirs: [] }), join(dir, VULKAN_LOADER));
  });
});
