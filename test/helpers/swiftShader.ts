/**
 * SwiftShader, the Vulkan driver that runs on the CPU, from Debian's chromium package: how the webgpu
 * backend is tested on machines without a GPU. The trainer is forced onto it with `--backend webgpu`
 * (`auto` refuses CPU emulations).
 */
import { existsSync } from 'node:fs';

export const SWIFTSHADER_DIR = '/usr/lib/chromium';
export const SWIFTSHADER_ICD = `${SWIFTSHADER_DIR}/vk_swiftshader_icd.json`;

/** Fails with what to install when SwiftShader is missing. */
export function requireSwiftShader(): void {
  if (!existsSync(SWIFTSHADER_ICD)) {
    throw new Error(`The webgpu tests run on SwiftShader, which Debian's chromium package ships (${SWIFTSHADER_ICD} is missing). Install it with: sudo apt-get install chromium libvulkan1`);
  }
}

/**
 * The environment of a trainer on SwiftShader: only its driver (VK_ICD_FILENAMES), and chromium's own Vulkan
 * loader as a fallback for machines without libvulkan1 (LD_LIBRARY_PATH is read when a process starts).
 */
export function swiftShaderEnv(): Record<string, string> {
  requireSwiftShader();
  const libraryPath = [SWIFTSHADER_DIR, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  return { VK_ICD_FILENAMES: SWIFTSHADER_ICD, LD_LIBRARY_PATH: libraryPath };
}

/** For tests that start WebGPU in their own process: Dawn reads VK_ICD_FILENAMES when it creates its instance. */
export function useSwiftShaderHere(): void {
  requireSwiftShader();
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
}
