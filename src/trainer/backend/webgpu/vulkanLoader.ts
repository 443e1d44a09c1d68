/**
 * Is there a Vulkan loader (libvulkan.so.1) for Dawn to open? On Linux, WebGPU reaches the GPU through
 * Vulkan, and without the loader Dawn only prints a warning on stderr and offers no adapter. Looking for
 * the file first lets the trainer say which package is missing instead of "no adapter".
 * Where the dynamic linker looks: LD_LIBRARY_PATH, the paths listed in /etc/ld.so.cache, the usual
 * library folders. A path that is not a readable regular file (a dangling link, a device) does not count.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const VULKAN_LOADER = 'libvulkan.so.1';

const USUAL_LIBRARY_DIRS = [
  '/lib/x86_64-linux-gnu',
  '/usr/lib/x86_64-linux-gnu',
  '/lib/aarch64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu',
  '/lib64',
  '/usr/lib64',
  '/lib',
  '/usr/lib',
  '/usr/local/lib',
];

export interface VulkanLoaderProbe {
  /** LD_LIBRARY_PATH as the process got it. */
  libraryPath?: string;
  /** The dynamic linker's cache (default /etc/ld.so.cache). */
  linkerCache?: string;
  /** Folders searched last (default: the usual library folders). */
  libraryDirs?: readonly string[];
}

function isRegularFile(path: string): boolean {
  try {
    const stats = statSync(path);
    return stats.isFile() && stats.size > 0;
  } catch {
    return false;
  }
}

/** Absolute paths of `name` that the linker's cache lists (the cache holds them as NUL-terminated strings). */
export function pathsInLinkerCache(cache: Buffer, name: string): string[] {
  const paths = new Set<string>();
  for (const entry of cache.toString('latin1').split('\0')) {
    if (entry.startsWith('/') && entry.endsWith(`/${name}`)) paths.add(entry);
  }
  return [...paths];
}

/** Every path where the loader could be, in the order the dynamic linker tries them. */
export function vulkanLoaderCandidates(probe: VulkanLoaderProbe = {}): string[] {
  const candidates: string[] = [];
  for (const dir of (probe.libraryPath ?? '').split(':')) if (dir !== '') candidates.push(join(dir, VULKAN_LOADER));
  try {
    candidates.push(...pathsInLinkerCache(readFileSync(probe.linkerCache ?? '/etc/ld.so.cache'), VULKAN_LOADER));
  } catch {
    // No cache (musl, containers): the usual folders below still count.
  }
  for (const dir of probe.libraryDirs ?? USUAL_LIBRARY_DIRS) candidates.push(join(dir, VULKAN_LOADER));
  return candidates;
}

/** The first loader file found, or null. */
export function findVulkanLoader(probe: VulkanLoaderProbe = {}): string | null {
  return vulkanLoaderCandidates(probe).find(isRegularFile) ?? null;
}
