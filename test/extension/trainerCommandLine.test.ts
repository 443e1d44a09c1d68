import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { seedSettings } from '../../src/shared/recipes';
import { trainerLaunch } from '../../src/extension/trainer/trainerLaunch';
import { evaluateArgs, predictArgs, prepareArgs, trainArgs } from '../../src/extension/trainer/trainerArgs';
import { normaliseSettings, resolveWorkFolder } from '../../src/extension/settings/extensionSettings';

const runtime = {
  extensionPath: '/ext',
  hostExecPath: '/opt/vscode/code',
  nodePath: '',
  hostEnv: { PATH: '/bin', ELECTRON_RUN_AS_NODE: undefined },
  cwd: '/ext',
};

test("with VS Code's own runtime the trainer runs as Node: ELECTRON_RUN_AS_NODE=1, main.js, --json last", () => {
  const launch = trainerLaunch({ runtime, command: 'train', args: ['/data', '--epochs', '3'] });
  assert.equal(launch.executable, '/opt/vscode/code');
  assert.deepEqual(launch.args, [join('/ext', 'dist', 'trainer', 'main.js'), 'train', '/data', '--epochs', '3', '--json']);
  assert.equal(launch.env.ELECTRON_RUN_AS_NODE, '1');
  assert.equal(launch.env.PATH, '/bin');
});

test('a configured Node runs the trainer without ELECTRON_RUN_AS_NODE', () => {
  const launch = trainerLaunch({ runtime: { ...runtime, nodePath: ' /usr/bin/node ', hostEnv: { ELECTRON_RUN_AS_NODE: '1' } }, command: 'evaluate', args: [] });
  assert.equal(launch.executable, '/usr/bin/node');
  assert.equal('ELECTRON_RUN_AS_NODE' in launch.env, false);
});

test('train arguments: prepared data, every setting, backend, workers only when set', () => {
  const args = trainArgs({ data: '/w/data/cats-1000-500-1000', workFolder: '/w', settings: seedSettings('augmented'), backend: 'wasm', workers: 0 });
  assert.deepEqual(args, [
    '/w/data/cats-1000-500-1000', '--out', '/w', '--recipe', 'augmented', '--epochs', '100', '--image-size', '180',
    '--batch-size', '32', '--learning-rate', '0.001', '--seed', '1337', '--backend', 'wasm',
  ]);
  const demo = trainArgs({ data: undefined, workFolder: '/w', settings: { ...seedSettings('scratch'), imageSize: 80 }, demoSplit: { train: 50, validation: 25, test: 25 }, backend: 'auto', workers: 4 });
  assert.equal(demo[0], '--out');
  assert.deepEqual(demo.slice(-4), ['--split', '50/25/25', '--workers', '4']);
});

test('prepare, evaluate and predict arguments', () => {
  assert.deepEqual(prepareArgs({ source: '/src', out: '/w/data/src-10-5-5', split: { train: 10, validation: 5, test: 5 }, replace: false }), ['/src', '--out', '/w/data/src-10-5-5', '--split', '10/5/5']);
  assert.equal(prepareArgs({ source: '/s', out: '/o', split: { train: 1, validation: 1, test: 0 }, replace: true }).at(-1), '--replace');
  assert.deepEqual(evaluateArgs({ checkpoint: '/w/runs/r', backend: 'cpu' }), ['/w/runs/r', '--backend', 'cpu']);
  assert.deepEqual(predictArgs({ checkpoint: '/w/runs/r', images: ['/a.jpg', '/b.png'], backend: 'auto' }), ['/w/runs/r', '/a.jpg', '/b.png', '--backend', 'auto']);
});

test('settings: unknown values fall back to the defaults', () => {
  assert.deepEqual(normaliseSettings({ backend: 'gpu', outputFolder: 42, trainerNodePath: null, workers: -3 }), { backend: 'auto', outputFolder: '', trainerNodePath: '', workers: 0 });
  assert.deepEqual(normaliseSettings({ backend: 'tensorflow', outputFolder: ' out ', trainerNodePath: '/n', workers: 8 }), { backend: 'tensorflow', outputFolder: 'out', trainerNodePath: '/n', workers: 8 });
  assert.equal(normaliseSettings({ backend: 'wasm', outputFolder: '', trainerNodePath: '', workers: 2.5 }).workers, 0);
});

test('the work folder: setting (absolute / relative to the first folder), else small-convnet-work, else global storage', () => {
  const base = { workspaceFolders: ['/ws/a', '/ws/b'], globalStoragePath: '/gs' };
  assert.equal(resolveWorkFolder({ ...base, setting: '' }), join('/ws/a', 'small-convnet-work'));
  assert.equal(resolveWorkFolder({ ...base, setting: 'experiments' }), join('/ws/a', 'experiments'));
  assert.equal(resolveWorkFolder({ ...base, setting: '/data/work' }), '/data/work');
  assert.equal(resolveWorkFolder({ workspaceFolders: [], globalStoragePath: '/gs', setting: '' }), join('/gs', 'small-convnet-work'));
  assert.ok(!resolveWorkFolder({ ...base, setting: '~/sc' }).includes('~'));
});
