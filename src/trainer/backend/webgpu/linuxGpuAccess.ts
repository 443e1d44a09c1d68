/**
 * What Dawn would find on Linux, checked before loading it. A Vulkan driver reaches a GPU through a device node
 * (/dev/dri/renderD* for Intel, AMD and others; /dev/nvidia0 and up for NVIDIA, also inside containers given a
 * GPU; /dev/dxg under WSL2): with none of them, only CPU emulations (lavapipe, SwiftShader) can answer, which
 * `auto` refuses anyway, and loading Dawn just to learn that costs a second and prints warnings on stderr
 * ("error: XDG_RUNTIME_DIR is invalid…", "Warning: Vulkan shaderUniform*ArrayDynamicIndexing required…").
 */
import { readdirSync } from 'node:fs';

export const GPU_DEVICE_NODES = '/dev/dri/renderD*, /dev/nvidia* or /dev/dxg';

/** The GPU device nodes under `devDir` (default /dev). */
export function gpuDeviceNodes(devDir = '/dev'): string[] {
  const list = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  return [
    ...list(`${devDir}/dri`).filter((name) => /^renderD\d+$/.test(name)).map((name) => `${devDir}/dri/${name}`),
    ...list(devDir).filter((name) => /^nvidia\d+$/.test(name) || name === 'dxg').map((name) => `${devDir}/${name}`),
  ];
}

/** Whether the environment names Vulkan drivers itself (VK_ICD_FILENAMES, VK_DRIVER_FILES): then Dawn is asked whatever /dev holds. */
export function namesVulkanDrivers(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.VK_ICD_FILENAMES || env.VK_DRIVER_FILES);
}

/** An absolute path that cannot be a socket: libwayland then fails to connect without a word. */
export const NO_WAYLAND_DISPLAY = '/dev/null/no-wayland-display';

/**
 * Vulkan's window-system code asks libwayland for a display while Dawn starts; with neither XDG_RUNTIME_DIR
 * (absolute) nor WAYLAND_DISPLAY set (a container, a service, CI) libwayland can reach none and prints "error:
 * XDG_RUNTIME_DIR is invalid or not set in the environment." twice. Dawn computes without a display, so the
 * trainer points WAYLAND_DISPLAY at a path that cannot exist: the same outcome, silently. Returns the variable
 * to set, or null when a display may be reachable (leave the environment alone).
 */
export function quietWaylandDisplay(env: NodeJS.ProcessEnv): string | null {
  const runtimeDir = env.XDG_RUNTIME_DIR ?? '';
  if (runtimeDir.startsWith('/') || env.WAYLAND_DISPLAY !== undefined) return null;
  return NO_WAYLAND_DISPLAY;
}
