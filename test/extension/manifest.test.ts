/** package.json's contributions declare exactly the ids of src/extension/ids.ts, and every file they name exists. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { COMMANDS, CONTEXT_KEYS, CONTEXT_VALUES, EXTENSION_ID, PANEL_VIEW_TYPE, SETTINGS, SETTINGS_SECTION, STOP_TRAINING_WHEN, VIEWS, VIEW_CONTAINER, WALKTHROUGH_ID, WALKTHROUGH_KEYS } from '../../src/extension/ids';
import { BACKEND_SETTINGS } from '../../src/extension/settings/extensionSettings';
import { isRecord } from '../../src/extension/util/readJson';
import { REPO_ROOT } from './helpers/realTrainer';

const pkg: unknown = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
assert.ok(isRecord(pkg) && isRecord(pkg.contributes));
const manifest = pkg;
const contributes = pkg.contributes as Record<string, unknown>;

function list(value: unknown): Record<string, unknown>[] {
  assert.ok(Array.isArray(value));
  return value.filter(isRecord);
}

test('the extension id, main and activation events', () => {
  assert.equal(`${String(manifest.publisher)}.${String(manifest.name)}`, EXTENSION_ID);
  assert.equal(manifest.main, './dist/extension/extension.js');
  assert.deepEqual(manifest.activationEvents, [`onWebviewPanel:${PANEL_VIEW_TYPE}`]);
  assert.ok(existsSync(join(REPO_ROOT, String(manifest.icon))));
  assert.match(String(manifest.icon), /\.png$/, 'vsce rejects SVG extension icons');
});

test('commands: exactly the ids of ids.ts, each with a title and the category', () => {
  const declared = list(contributes.commands);
  assert.deepEqual(declared.map((c) => c.command).sort(), Object.values(COMMANDS).sort());
  for (const command of declared) {
    assert.equal(typeof command.title, 'string');
    assert.equal(command.category, 'Small Convnet');
  }
});

test('menus name declared commands and the context values the trees set', () => {
  const ids = new Set<string>(Object.values(COMMANDS));
  const menus = contributes.menus;
  assert.ok(isRecord(menus));
  const contextValues: string[] = Object.values(CONTEXT_VALUES);
  const viewIds = new Set<string>(Object.values(VIEWS));
  let clauses = 0;
  for (const [menu, items] of Object.entries(menus)) {
    for (const item of list(items)) {
      assert.ok(ids.has(String(item.command)), `${menu}: ${String(item.command)}`);
      const when = String(item.when ?? '');
      // Every clause on a tree item names (==) or matches (=~) a context value the trees set, in a declared view.
      for (const [, value] of when.matchAll(/viewItem == ([^\s)]+)/g)) {
        clauses++;
        assert.ok(contextValues.includes(value), `${menu}: ${when}: no tree item is "${value}"`);
      }
      for (const [, source] of when.matchAll(/viewItem =~ \/(.+?)\/(?=[\s)]|$)/g)) {
        clauses++;
        const pattern = new RegExp(source);
        assert.ok(contextValues.some((value) => pattern.test(value)), `${menu}: ${when}: no tree item matches /${source}/`);
      }
      for (const [, view] of when.matchAll(/\bview == ([^\s)]+)/g)) assert.ok(viewIds.has(view), `${menu}: ${when}: no view "${view}"`);
    }
  }
  assert.ok(clauses >= 10, `the viewItem clauses of the menus were all read (${clauses})`);
  const itemContext = list(menus['view/item/context']).map((item) => String(item.when));
  assert.ok(itemContext.some((when) => when.includes(CONTEXT_VALUES.run)));
  assert.ok(list(menus['commandPalette']).some((item) => String(item.when).includes(CONTEXT_KEYS.training)));
  const explorer = list(menus['explorer/context']);
  assert.equal(explorer[0].command, COMMANDS.predictWithCheckpoint);
  assert.match(String(explorer[0].when), /resourceExtname/);
});

test('Stop Training is enabled for a run of this window and for a run training in the background', () => {
  // Enablement gates every place the command shows: without the background key, a reloaded window's inline
  // Stop on its background run would be drawn disabled.
  const stop = list(contributes.commands).find((command) => command.command === COMMANDS.stopTraining);
  assert.equal(stop?.enablement, STOP_TRAINING_WHEN);
  const menus = contributes.menus;
  assert.ok(isRecord(menus));
  assert.equal(list(menus['commandPalette']).find((item) => item.command === COMMANDS.stopTraining)?.when, STOP_TRAINING_WHEN);
  const title = String(list(menus['view/title']).find((item) => item.command === COMMANDS.stopTraining)?.when);
  for (const key of [CONTEXT_KEYS.training, CONTEXT_KEYS.trainingInBackground]) assert.ok(title.includes(`view == ${VIEWS.checkpoints} && ${key}`), title);
  const onRun = list(menus['view/item/context']).filter((item) => item.command === COMMANDS.stopTraining);
  assert.deepEqual(onRun.map((item) => item.group).sort(), ['1_use@0', 'inline@1'], 'inline and in the context menu');
  for (const item of onRun) assert.equal(item.when, `view == ${VIEWS.checkpoints} && viewItem == ${CONTEXT_VALUES.runTraining}`);
});

test('view container and the two views', () => {
  const containers = contributes.viewsContainers;
  assert.ok(isRecord(containers));
  const [container] = list(containers.activitybar);
  assert.equal(container.id, VIEW_CONTAINER);
  const svg = readFileSync(join(REPO_ROOT, String(container.icon)), 'utf8');
  assert.match(svg, /currentColor/);
  assert.doesNotMatch(svg, /#[0-9a-f]{3,6}/i, 'monochrome');
  const views = contributes.views;
  assert.ok(isRecord(views));
  assert.deepEqual(list(views[VIEW_CONTAINER]).map((v) => v.id), [VIEWS.subsets, VIEWS.checkpoints]);
  assert.deepEqual(list(contributes.viewsWelcome).map((w) => w.view).sort(), [VIEWS.checkpoints, VIEWS.subsets].sort());
});

test('settings: exactly the keys of ids.ts; backend enum matches', () => {
  const configuration = contributes.configuration;
  assert.ok(isRecord(configuration) && isRecord(configuration.properties));
  const properties = configuration.properties;
  assert.deepEqual(Object.keys(properties).sort(), Object.values(SETTINGS).map((key) => `${SETTINGS_SECTION}.${key}`).sort());
  const backend = properties[`${SETTINGS_SECTION}.backend`];
  assert.ok(isRecord(backend));
  assert.deepEqual(backend.enum, [...BACKEND_SETTINGS]);
  const nodePath = properties[`${SETTINGS_SECTION}.trainerNodePath`];
  assert.ok(isRecord(nodePath));
  assert.equal(nodePath.scope, 'machine', 'a workspace must not choose the executable');
});

test('walkthrough: six steps, media files exist, completion events name declared commands or the context keys of ids.ts', () => {
  const [walkthrough] = list(contributes.walkthroughs);
  assert.equal(walkthrough.id, WALKTHROUGH_ID);
  const steps = list(walkthrough.steps);
  assert.equal(steps.length, 6);
  const ids = new Set<string>([...Object.values(COMMANDS), 'workbench.action.files.openFolder']);
  for (const step of steps) {
    assert.ok(isRecord(step.media));
    assert.ok(existsSync(join(REPO_ROOT, String(step.media.markdown))), String(step.media.markdown));
    for (const event of step.completionEvents as string[]) {
      const match = /^(onCommand|onContext):(.+)$/.exec(event);
      assert.ok(match, event);
      // A step ticks when it really happened (a context key set on success), or on a command of VS Code's own.
      if (match[1] === 'onCommand') assert.ok(ids.has(match[2]), event);
      else assert.ok((Object.values(WALKTHROUGH_KEYS) as string[]).includes(match[2]), event);
    }
    const steps_ = ['makeSubsets', 'trainFromScratch', 'trainWithAugmentation', 'evaluate'];
    if (steps_.includes(String(step.id))) assert.ok((step.completionEvents as string[]).every((event) => event.startsWith('onContext:')), `${String(step.id)} ticks on success only`);
    for (const link of String(step.description).matchAll(/\(command:([^)?]+)/g)) assert.ok(ids.has(link[1]), link[1]);
  }
});
