/**
 * What a WebGPU adapter is, in words: its name for the backend line, the graphics API under it, and
 * whether it is a real GPU or a CPU emulation of one (SwiftShader, lavapipe, llvmpipe, WARP, or what
 * the driver itself calls a fallback adapter). On a CPU, WebAssembly trains much faster than an
 * emulated GPU, so `auto` never takes one.
 */

/** The fields of GPUAdapterInfo this project reads (all strings may be empty). */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter?: boolean;
}

const CPU_EMULATIONS: readonly { name: string; pattern: RegExp }[] = [
  { name: 'SwiftShader', pattern: /swiftshader/i },
  { name: 'lavapipe', pattern: /lavapipe|\bllvmpipe\b.*vulkan|^lvp/i },
  { name: 'llvmpipe', pattern: /llvmpipe/i },
  { name: 'WARP', pattern: /microsoft basic render|\bwarp\b/i },
  { name: 'a software renderer', pattern: /software (renderer|rasterizer)/i },
];

/** The emulation's name when the adapter runs on the CPU, else null. */
export function cpuEmulationName(info: AdapterInfo): string | null {
  const text = [info.vendor, info.architecture, info.device, info.description].join(' ');
  const known = CPU_EMULATIONS.find((e) => e.pattern.test(text));
  if (known) return known.name;
  return info.isFallbackAdapter ? 'a fallback (CPU) adapter' : null;
}

/** The native API Dawn drives on each system. */
export function graphicsApi(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Metal';
  if (platform === 'win32') return 'D3D12';
  return 'Vulkan';
}

const VENDOR_NAMES: Record<string, string> = {
  nvidia: 'NVIDIA',
  amd: 'AMD',
  ati: 'AMD',
  intel: 'Intel',
  apple: 'Apple',
  google: 'Google',
  qualcomm: 'Qualcomm',
  arm: 'Arm',
  microsoft: 'Microsoft',
  mesa: 'Mesa',
};

/** E.g. "NVIDIA H100 80GB HBM3 (Vulkan)", "Google SwiftShader driver 5.0.0 (Vulkan)". */
export function adapterLabel(info: AdapterInfo, platform: NodeJS.Platform): string {
  const vendor = VENDOR_NAMES[info.vendor.toLowerCase()] ?? info.vendor;
  const model = info.description || info.device || info.architecture || 'unnamed adapter';
  const name = vendor && !model.toLowerCase().startsWith(vendor.toLowerCase()) ? `${vendor} ${model}` : model;
  return `${name.trim()} (${graphicsApi(platform)})`;
}
