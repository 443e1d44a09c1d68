/** The backend as the panel names it (pure). */
import type { BackendName } from '../src/shared/backends';

const BACKEND_LABELS: Record<BackendName, string> = {
  'tensorflow-gpu': 'TensorFlow (GPU)',
  webgpu: 'WebGPU',
  tensorflow: 'TensorFlow (native CPU)',
  wasm: 'WebAssembly',
  cpu: 'JavaScript CPU',
};

export function backendLabel(backend: BackendName): string {
  return BACKEND_LABELS[backend];
}

/** The trainer's engine line without the backend's name when it starts with it ("WebGPU: NVIDIA …" -> "NVIDIA …"). */
export function engineText(backend: BackendName, detail: string): string {
  const prefix = `${backendLabel(backend)}: `;
  return detail.startsWith(prefix) ? detail.slice(prefix.length) : detail;
}
