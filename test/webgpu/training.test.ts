// The trainer on the webgpu backend, run as a user runs it (child processes, --backend webgpu on
// SwiftShader): Model 2 learns as on wasm, checkpoints stay backend-neutral (evaluated and resumed on
// another backend), `auto` refuses a CPU emulation, and a machine without a Vulkan loader gets a clear
// reason. Tiny images, one or two steps per epoch: SwiftShader takes seconds per step.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HISTORY_FILE, type HistoryFile } from '../../src/shared/runFiles';
import { parseTrainerMessage, type TrainerMessage } from '../../src/shared/trainerProtocol';
import { vulkanLoaderCandidates } from '../../src/trainer/backend/webgpu/vulkanLoader';
import { EXIT } from '../../src/shared/trainerErrors';
import { messagesOfType, runTrainer, TRAINER, type TrainerRun } from '../helpers/runTrainer';
import { swiftShaderEnv } from '../helpers/swiftShader';
import { makeTinyDataset, TINY_IMAGE_SIZE } from '../helpers/tinyData';

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

function runDirOf(run: TrainerRun): string {
  const started = messagesOfType(run, 'run-started')[0];
  assert.ok(started, `no run-started message; stderr:\n${run.stderr}`);
  return started.runDir;
}

function backendOf(run: TrainerRun) {
  const message = messagesOfType(run, 'backend')[0];
  assert.ok(message, `no backend message; stderr:\n${run.stderr}`);
  return message;
}

describe('training on webgpu (SwiftShader) as on wasm', () => {
  let root: string;
  let data: string;
  const gpuEnv = swiftShaderEnv();
  // 4 training images per class, batches of 4: two steps per epoch.
  const trainArgs = (options: { out: string; backend: string; epochs: number }) => [
    'train', data, '--recipe', 'augmented', '--epochs', String(options.epochs), '--image-size', String(TINY_IMAGE_SIZE),
    '--batch-size', '4', '--workers', '1', '--backend', options.backend, '--out', join(root, options.out), '--json',
  ];
  let wasmRun: TrainerRun;
  let gpuRun: TrainerRun;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'sc-webgpu-'));
    data = await makeTinyDataset({ root, perClass: 6, split: '4/1/1' });
    wasmRun = await runTrainer({ args: trainArgs({ out: 'wasm', backend: 'wasm', epochs: 2 }) });
    assert.equal(wasmRun.code, 0, wasmRun.stderr);
    // No XDG_RUNTIME_DIR (as in a container or CI): libwayland would say so on stderr when Dawn starts.
    gpuRun = await runTrainer({ args: trainArgs({ out: 'webgpu', backend: 'webgpu', epochs: 2 }), env: { ...gpuEnv, XDG_RUNTIME_DIR: '' } });
    assert.equal(gpuRun.code, 0, gpuRun.stderr);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('the backend line names the adapter and says it is a CPU emulation; stdout carries protocol lines only', () => {
    const backend = backendOf(gpuRun);
    assert.equal(backend.backend, 'webgpu');
    assert.match(backend.detail, /^WebGPU: .*SwiftShader.*\(Vulkan\).*CPU emulation/);
    assert.deepEqual(gpuRun.strayLines, [], "Dawn's messages stay on stderr");
    if (process.env.WAYLAND_DISPLAY === undefined) assert.doesNotMatch(gpuRun.stderr, /XDG_RUNTIME_DIR/, 'no Wayland display asked for');
    assert.match(messagesOfType(gpuRun, 'run-started')[0].engine, /^WebGPU: /);
  });

  test('a 2-epoch Model 2 run learns like the same run on wasm: first step equal within 1e-4, then close', () => {
    const firstLoss = (run: TrainerRun) => messagesOfType(run, 'batch-end')[0].loss;
    assert.ok(Math.abs(firstLoss(gpuRun) - firstLoss(wasmRun)) < 1e-4, `first step: ${firstLoss(gpuRun)} vs ${firstLoss(wasmRun)}`);
    const gpu = readJson<HistoryFile>(join(runDirOf(gpuRun), HISTORY_FILE));
    const wasm = readJson<HistoryFile>(join(runDirOf(wasmRun), HISTORY_FILE));
    assert.equal(gpu.epochs.length, 2);
    for (const key of ['loss', 'val_loss'] as const) {
      gpu.history[key].forEach((value, i) => assert.ok(Math.abs(value - wasm.history[key][i]) < 0.02, `${key} epoch ${i + 1}: ${value} vs ${wasm.history[key][i]}`));
    }
    assert.ok(messagesOfType(gpuRun, 'checkpoint-saved').length > 0, 'a best checkpoint was saved');
  });

  test('a checkpoint trained on webgpu gives the same evaluation on wasm and on webgpu, and the same predictions', async () => {
    const runDir = runDirOf(gpuRun);
    const onWasm = await runTrainer({ args: ['evaluate', runDir, '--backend', 'wasm', '--json'] });
    const onGpu = await runTrainer({ args: ['evaluate', runDir, '--backend', 'webgpu', '--json'], env: gpuEnv });
    assert.equal(onWasm.code, 0, onWasm.stderr);
    assert.equal(onGpu.code, 0, onGpu.stderr);
    const [wasm] = messagesOfType(onWasm, 'evaluation');
    const [gpu] = messagesOfType(onGpu, 'evaluation');
    assert.equal(gpu.accuracy, wasm.accuracy);
    assert.ok(Math.abs(gpu.loss - wasm.loss) < 1e-4, `test loss ${gpu.loss} vs ${wasm.loss}`);
    assert.deepEqual(gpu.confusion, wasm.confusion);

    const image = join(data, 'test', 'spots');
    const predictWasm = await runTrainer({ args: ['predict', runDir, image, '--backend', 'wasm', '--json'] });
    const predictGpu = await runTrainer({ args: ['predict', runDir, image, '--backend', 'webgpu', '--json'], env: gpuEnv });
    assert.equal(predictGpu.code, 0, predictGpu.stderr);
    const probabilities = (run: TrainerRun) => messagesOfType(run, 'prediction').flatMap((p) => p.probabilities);
    const expected = probabilities(predictWasm);
    assert.ok(expected.length > 0);
    probabilities(predictGpu).forEach((p, i) => assert.ok(Math.abs(p - expected[i]) < 1e-4, `probability ${i}: ${p} vs ${expected[i]}`));
  });

  test('a run started on wasm resumes on webgpu and ends like the uninterrupted run', async () => {
    let sent = false;
    const stopped = await runTrainer({
      args: trainArgs({ out: 'cross', backend: 'wasm', epochs: 2 }),
      onMessage: (message: TrainerMessage, child) => {
        if (!sent && message.type === 'epoch-end' && message.epoch === 1) {
          sent = true;
          child.send('{"type":"cancel"}');
        }
      },
    });
    assert.equal(messagesOfType(stopped, 'done')[0]?.status, 'cancelled', stopped.stderr);
    const runDir = runDirOf(stopped);
    const resumed = await runTrainer({ args: ['resume', runDir, '--backend', 'webgpu', '--json'], env: gpuEnv });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(backendOf(resumed).backend, 'webgpu');
    const history = readJson<HistoryFile>(join(runDir, HISTORY_FILE));
    const reference = readJson<HistoryFile>(join(runDirOf(wasmRun), HISTORY_FILE));
    assert.deepEqual(history.epochs.map((e) => e.epoch), [1, 2]);
    assert.equal(history.history.loss[0], reference.history.loss[0], 'epoch 1 is the wasm run');
    assert.ok(Math.abs(history.history.loss[1] - reference.history.loss[1]) < 0.02, `epoch 2 on webgpu: ${history.history.loss[1]} vs ${reference.history.loss[1]}`);
  });
});

describe('when webgpu is not taken', () => {
  const gpuEnv = swiftShaderEnv();
  let root: string;
  let checkpointRun: string;

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'sc-webgpu-skip-'));
    const data = await makeTinyDataset({ root, perClass: 6, split: '4/1/1' });
    const run = await runTrainer({
      args: ['train', data, '--epochs', '1', '--image-size', String(TINY_IMAGE_SIZE), '--batch-size', '4', '--workers', '1', '--backend', 'wasm', '--out', join(root, 'out'), '--json'],
    });
    assert.equal(run.code, 0, run.stderr);
    checkpointRun = runDirOf(run);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('auto skips a CPU emulation (SwiftShader) with its reason and takes wasm', async () => {
    const run = await runTrainer({ args: ['evaluate', checkpointRun, '--json'], env: gpuEnv });
    assert.equal(run.code, 0, run.stderr);
    const backend = backendOf(run);
    assert.equal(backend.backend, 'wasm');
    const webgpu = backend.skipped.find((s) => s.backend === 'webgpu');
    assert.ok(webgpu, JSON.stringify(backend.skipped));
    assert.match(webgpu.reason, /SwiftShader.*CPU emulation of a GPU: WebAssembly is faster on a CPU/);
  });

  test('no Vulkan loader: auto says so in one line and goes on; --backend webgpu fails naming the package to install', (t) => {
    // Hide every libvulkan.so.1 the dynamic linker could open (a /dev/null bind mount in a private mount namespace).
    const present = vulkanLoaderCandidates({}).filter((path) => existsSync(path));
    if (present.length > 0 && process.getuid?.() !== 0) {
      t.skip(`hiding ${present.join(', ')} needs root (a private mount namespace)`);
      return;
    }
    const env = { ...process.env, VK_ICD_FILENAMES: gpuEnv.VK_ICD_FILENAMES, LD_LIBRARY_PATH: '' };
    const run = (backend: string) => {
      const trainer = [process.execPath, TRAINER, 'evaluate', checkpointRun, '--backend', backend, '--json'].map((a) => `'${a}'`).join(' ');
      const hide = present.map((path) => `mount --bind /dev/null '${path}' && `).join('');
      const result = present.length > 0
        ? spawnSync('unshare', ['--mount', 'sh', '-c', `${hide}exec ${trainer}`], { env, encoding: 'utf8' })
        : spawnSync(process.execPath, [TRAINER, 'evaluate', checkpointRun, '--backend', backend, '--json'], { env, encoding: 'utf8' });
      const messages = result.stdout.split('\n').map((line) => parseTrainerMessage(line)).filter((m): m is TrainerMessage => m !== null);
      return { code: result.status, messages, stderr: result.stderr };
    };
    const auto = run('auto');
    assert.equal(auto.code, 0, auto.stderr);
    const backend = auto.messages.find((m) => m.type === 'backend');
    assert.ok(backend && backend.type === 'backend');
    assert.equal(backend.backend, 'wasm');
    const reason = backend.skipped.find((s) => s.backend === 'webgpu')?.reason ?? '';
    assert.match(reason, /^no Vulkan loader \(libvulkan\.so\.1\): .*libvulkan1/);
    assert.doesNotMatch(reason, /\n/);

    const forced = run('webgpu');
    assert.equal(forced.code, EXIT.backendUnavailable, forced.stderr);
    const error = forced.messages.find((m) => m.type === 'error');
    assert.ok(error && error.type === 'error');
    assert.equal(error.code, 'backend-unavailable');
    assert.match(error.message, /"webgpu".*no Vulkan loader.*libvulkan1/);
  });
});
