/**
 * The hand-assembled SIMD module's structure (src/trainer/backend/wasmSimdModule.ts, wasmEncoding.ts): locals
 * numbered by name with exactly the declared counts, one signature table for types, exports and calls, and a
 * module that validates and exports every function with its table's parameter count. What each function
 * computes is tested against the cpu backend in wasmKernels.test.ts and wasmFusedKernels.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Frame, get } from '../../src/trainer/backend/wasmEncoding';
import { moduleBytes } from '../../src/trainer/backend/wasmSimdModule';
import { webAssembly as wasm } from '../helpers/wasmTesting';

describe('Frame: a function\'s parameters and locals by name', () => {
  it('numbers parameters, then i32 locals, then v128 locals, and declares exactly those', () => {
    const f = new Frame(['a', 'b']);
    assert.deepEqual({ ...f.params }, { a: 0, b: 1 });
    const { i, j } = f.i32('i', 'j');
    const rows = f.i32Array(3);
    const { v } = f.v128('v');
    const accs = f.v128Array(2);
    assert.deepEqual([i, j, rows, v, accs], [2, 3, [4, 5, 6], 7, [8, 9]]);
    // local declarations: 2 groups, (5 x i32), (3 x v128); then the code; length-prefixed
    const body = f.body([...get(v), 0x1a, 0x0b]);
    assert.deepEqual(body, [9, 2, 5, 0x7f, 3, 0x7b, 0x20, 7, 0x1a, 0x0b]);
  });

  it('refuses a name it does not have, and an i32 local after a v128 one (wasm declares i32 first here)', () => {
    const f = new Frame(['x']);
    assert.throws(() => f.params.y, /no parameter or local named "y"/);
    const locals = f.i32('k');
    assert.throws(() => (locals as Record<string, number>).kk, /no parameter or local named "kk"/);
    f.v128('v');
    assert.throws(() => f.i32('late'), /i32 locals must be declared before v128 locals/);
  });

  it('a body without locals declares none', () => {
    assert.deepEqual(new Frame(['x']).body([0x0b]), [2, 0, 0x0b]);
  });
});

describe('the SIMD module', () => {
  it('validates, and exports every function of its table with the table\'s parameter count (plain variant)', () => {
    const bytes = moduleBytes(false);
    assert.ok(wasm.validate(bytes), 'the module validates');
    const module = new wasm.Module(bytes);
    const names = wasm.Module.exports(module).map((e) => e.name);
    for (const expected of [
      'maxPoolGrad', 'maxPoolGradTiled', 'maxPoolGrad2x2', 'maxPoolReluGrad2x2', 'gemm1', 'gemm6', 'conv6', 'gemmLoop6', 'convLoop1', 'reluGrad', 'relu',
      'accumulateF64', 'maxPool2x2', 'winogradInput', 'winogradOutput', 'winogradGradient', 'winograd4Input', 'winograd4Output', 'winograd4Gradient',
      'winogradFilter', 'winograd4Filter', 'winogradFilterTransposed', 'winograd4FilterTransposed', 'transpose',
    ]) {
      assert.ok(names.includes(expected), `exports ${expected}`);
    }
    // the pooling gradients (4), gemm/conv and their loops (4 x 6), reluGrad, relu, accumulateF64, maxPool2x2, Winograd (3 + 3),
    // Winograd's filter transforms (2 + 2), the tap transpose
    assert.equal(names.length, 4 + 4 * 6 + 4 + 3 + 3 + 4 + 1);
    const { exports } = new wasm.Instance(module, { env: { memory: new wasm.Memory({ initial: 1 }) } });
    const length = (exportName: string) => (exports[exportName] as (...args: number[]) => void).length;
    assert.deepEqual(
      ['maxPoolGrad', 'maxPoolGrad2x2', 'maxPoolReluGrad2x2', 'gemm3', 'conv3', 'gemmLoop3', 'convLoop3', 'reluGrad', 'relu', 'accumulateF64', 'maxPool2x2', 'winogradInput', 'winogradOutput', 'winograd4Input', 'winograd4Output', 'winograd4Gradient', 'winograd4Filter', 'winogradFilterTransposed', 'transpose'].map(length),
      [13, 9, 10, 9, 12, 13, 15, 6, 2, 3, 8, 6, 8, 6, 8, 6, 4, 4, 4],
    );
  });
});
