/**
 * Starts WebGPU in Node: Dawn's Node bindings (npm `webgpu`, a prebuilt dawn.node per platform inside
 * the package), an adapter, then TensorFlow.js' webgpu backend. Node has no `navigator.gpu`, and the
 * backend registers itself only if one exists when its module is evaluated, so it is loaded with a
 * dynamic import after the globals are in place.
 * Each failure is an Error whose message is the one-line reason the backend line shows.
 */
import { adapterLabel, cpuEmulationName, type AdapterInfo } from './gpuAdapter';
import { GPU_DEVICE_NODES, gpuDeviceNodes, namesVulkanDrivers, quietWaylandDisplay } from './linuxGpuAccess';
import { findVulkanLoader, VULKAN_LOADER, type VulkanLoaderProbe } from './vulkanLoader';

export interface OpenWebGpuOptions {
  /** False for `auto`: a CPU emulation of a GPU is refused (WebAssembly is faster on a CPU). */
  allowCpuEmulation: boolean;
  platform?: NodeJS.Platform;
  loaderProbe?: VulkanLoaderProbe;
  /** Linux: the GPU device nodes present (default: those under /dev, see linuxGpuAccess.ts). */
  gpuDevices?: string[];
}

export interface OpenedWebGpu {
  /** E.g. "NVIDIA H100 80GB HBM3 (Vulkan)". */
  label: string;
  /** The emulation's name when the adapter runs on the CPU (only with allowCpuEmulation), else null. */
  cpuEmulation: string | null;
}

/** The subset of the `webgpu` package used here (its own types need the DOM's). */
interface DawnModule {
  create(options: string[]): GpuEntry;
  globals: Record<string, unknown>;
}

interface GpuEntry {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<{ info: AdapterInfo } | null>;
}

async function loadDawn(): Promise<DawnModule> {
  try {
    return (await import('webgpu')) as unknown as DawnModule;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new Error(`the webgpu package (Dawn) does not load on ${process.platform}-${process.arch}: ${reason}`);
  }
}

/**
 * navigator.gpu when this process installed it already: one Dawn instance per process, since the webgpu
 * backend, once created, keeps using the device it got from the first one (a second instance would let
 * the first be collected under it).
 */
function installedGpu(): GpuEntry | undefined {
  return (globalThis as { navigator?: { gpu?: GpuEntry } }).navigator?.gpu;
}

/** Makes `gpu` navigator.gpu and Dawn's GPU* classes and constants globals, as in a browser. */
function installGlobals(dawn: DawnModule, gpu: GpuEntry): void {
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) Object.defineProperty(globalThis, name, { value, configurable: true, writable: true });
  }
  const scope = globalThis as { navigator?: object };
  if (scope.navigator === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else {
    Object.defineProperty(scope.navigator, 'gpu', { value: gpu, configurable: true });
  }
}

function noAdapterReason(platform: NodeJS.Platform): string {
  if (platform === 'linux') {
    return 'no WebGPU adapter: the Vulkan loader found no GPU driver it can use (install your GPU\'s Vulkan driver; `vulkaninfo --summary` lists what Vulkan sees)';
  }
  return `no WebGPU adapter: no GPU that ${platform === 'darwin' ? 'Metal' : 'Direct3D 12'} can use`;
}

export async function openWebGpu(options: OpenWebGpuOptions): Promise<OpenedWebGpu> {
  const platform = options.platform ?? process.platform;
  if (platform === 'linux' && !options.allowCpuEmulation && !namesVulkanDrivers(process.env) && (options.gpuDevices ?? gpuDeviceNodes()).length === 0) {
    throw new Error(`no GPU on this machine (no ${GPU_DEVICE_NODES} device for a Vulkan driver to use)`);
  }
  if (platform === 'linux' && findVulkanLoader(options.loaderProbe ?? { libraryPath: process.env.LD_LIBRARY_PATH }) === null) {
    throw new Error(`no Vulkan loader (${VULKAN_LOADER}): install it with your GPU's Vulkan driver (Debian and Ubuntu: sudo apt-get install libvulkan1)`);
  }
  if (platform === 'linux') {
    const display = quietWaylandDisplay(process.env);
    if (display !== null) process.env.WAYLAND_DISPLAY = display;
  }
  const dawn = await loadDawn();
  const gpu = installedGpu() ?? dawn.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (adapter === null) throw new Error(noAdapterReason(platform));
  const label = adapterLabel(adapter.info, platform);
  const cpuEmulation = cpuEmulationName(adapter.info);
  if (cpuEmulation !== null && !options.allowCpuEmulation) {
    throw new Error(`its only adapter, ${label}, is ${cpuEmulation}, a CPU emulation of a GPU: WebAssembly is faster on a CPU`);
  }
  installGlobals(dawn, gpu);
  await import('@tensorflow/tfjs-backend-webgpu');
  return { label, cpuEmulation };
}
