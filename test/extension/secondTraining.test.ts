/**
 * A second training while a run trains (issue 13): the question comes before the first prompt of the new
 * training, and "Stop It and Continue" stops the old run (waiting for it) and then goes on with the new one.
 * VS Code replaced by helpers/fakeVscode.ts; the training runs are stand-ins that record stop().
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Services } from '../../src/extension/services';
import { installFakeVscode, makeFakeVscode } from './helpers/fakeVscode';

let root: string;
let harness: ReturnType<typeof makeFakeVscode>;
let uninstall: () => void;
let flows: typeof import('../../src/extension/train/trainFlow');

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'small-convnet-second-'));
  harness = makeFakeVscode({ workspaceFolder: root });
  uninstall = installFakeVscode(harness.fake);
  flows = await import('../../src/extension/train/trainFlow');
});
after(() => {
  uninstall();
  rmSync(root, { recursive: true, force: true });
});

/** Services with one run training: stop() ends it (after a moment, as a real trainer finishing its batch). */
function servicesWithARun() {
  const state = { active: [] as { stop(): Promise<unknown> }[], stops: 0, panelShown: 0 };
  state.active.push({
    stop: async () => {
      state.stops++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      state.active = [];
      return { kind: 'cancelled' };
    },
  });
  const services = {
    runs: { active: () => state.active },
    panel: { show: () => void state.panelShown++ },
    settings: { workFolder: () => join(root, 'work') },
  } as unknown as Services;
  return { services, state };
}

test('asked before the first prompt; dismissed or "Show Panel": no prompt, the run goes on', async () => {
  for (const answer of [undefined, 'Show Panel']) {
    const { services, state } = servicesWithARun();
    const prompts: string[] = [];
    harness.recorder.ui = {
      quickPick: (_items, options) => void prompts.push(`quickPick ${options.title}`),
      inputBox: (options) => void prompts.push(`inputBox ${options.prompt}`),
      openDialog: () => undefined,
      message: (text, buttons) => {
        prompts.push(`message ${text}`);
        assert.deepEqual(buttons, ['Stop It and Continue', 'Show Panel']);
        return answer;
      },
    };
    await flows.runTrainFlow(services);
    assert.equal(prompts.length, 1, prompts.join('\n'));
    assert.match(prompts[0], /^message A Small Convnet run is training already/);
    assert.equal(state.stops, 0, 'the running run was not stopped');
    assert.equal(state.panelShown, answer === 'Show Panel' ? 1 : 0);
  }
});

test('"Stop It and Continue": the old run is stopped and ended before the new training\'s first prompt', async () => {
  const { services, state } = servicesWithARun();
  const seen: string[] = [];
  harness.recorder.ui = {
    quickPick: (_items, options) => {
      seen.push(`quickPick ${options.title} (runs training: ${state.active.length})`);
      return undefined; // Escape: the new training is not wanted after all
    },
    inputBox: () => undefined,
    openDialog: () => undefined,
    message: () => 'Stop It and Continue',
  };
  await flows.runTrainFlow(services);
  assert.equal(state.stops, 1);
  assert.deepEqual(seen, ['quickPick Train Small Convnet: images (runs training: 0)']);
});

test('the walkthrough\'s "Train on the Demo Data" ({ demo: true }) asks for no images: the recipe comes first', async () => {
  const { services, state } = servicesWithARun();
  state.active = [];
  const seen: string[] = [];
  harness.recorder.ui = {
    quickPick: (_items, options) => void seen.push(`quickPick ${options.title}`),
    inputBox: () => undefined,
    openDialog: () => undefined,
    message: () => undefined,
  };
  await flows.runTrainFlow(services, { demo: true });
  assert.deepEqual(seen, ['quickPick Train Small Convnet: recipe']);
});
