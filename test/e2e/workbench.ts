/**
 * Driving the VS Code workbench in Chromium the way a person does: the command palette (F1), QuickPicks and
 * InputBoxes, the activity bar, tree views and their context menus, and a webview panel's DOM (two iframes
 * deep). Only the DOM of the real workbench is used: no VS Code API, no test hooks in the extension.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Frame, FrameLocator, Locator, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { until as untilCondition } from '../helpers/until';

export const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface TreeRow {
  label: string;
  level: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** test/helpers/until.ts with the end-to-end test's argument order (what, timeout, probe). */
export function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, intervalMs = 100): Promise<T> {
  return untilCondition(what, probe, { timeoutMs, intervalMs });
}

export class Workbench {
  /** Console errors of the workbench page (the test reports them when a step fails). */
  readonly consoleErrors: string[] = [];
  private shot = 0;

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly screenshotsDir: string,
  ) {
    page.on('console', (message) => {
      if (message.type() === 'error') this.consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => this.consoleErrors.push(`page error: ${error.message}`));
  }

  /** Opens `folder` in the workbench served at `url` and waits until the workbench is drawn. */
  static async open(options: { browser: Browser; url: string; folder: string; screenshotsDir: string }): Promise<Workbench> {
    const context = await options.browser.newContext({ viewport: { width: 1600, height: 960 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    mkdirSync(options.screenshotsDir, { recursive: true });
    const workbench = new Workbench(context, page, options.screenshotsDir);
    await page.goto(`${options.url}/?folder=${encodeURIComponent(options.folder)}`);
    await workbench.waitReady();
    return workbench;
  }

  /** File > Open Folder: the same window shows `folder` (code-server's ?folder= URL), with a new extension host. */
  async openFolder(url: string, folder: string): Promise<void> {
    await this.page.goto(`${url}/?folder=${encodeURIComponent(folder)}`);
    await this.waitReady();
  }

  async waitReady(): Promise<void> {
    await this.page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
  }

  // --- command palette and quick input -------------------------------------------------------------

  get quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  /**
   * F1, types the command's title and presses Enter on the row that carries it. Retried until the row is
   * there: an extension's commands join the palette a few seconds after the workbench is drawn.
   */
  async runCommand(title: string, timeoutMs = 30_000): Promise<void> {
    const row = this.quickInput.locator('.monaco-list-row', { hasText: title });
    await until(`the command "${title}" in the palette`, timeoutMs, async () => {
      if (!(await this.quickInput.isVisible())) {
        await this.page.keyboard.press('F1');
        await this.quickInput.waitFor({ state: 'visible', timeout: 5_000 });
      }
      const input = this.quickInput.locator('.quick-input-box input');
      // A short wait: a palette that is closing (the previous command's) makes fill wait for an input that goes
      // away; the next round presses F1 again instead of spending the whole timeout here.
      await input.fill(`>${title}`, { timeout: 3_000 });
      try {
        await row.first().waitFor({ timeout: 2_000 });
      } catch {
        await this.page.keyboard.press('Escape');
        return undefined;
      }
      // The row's label ("Category: Title"), without what the accessible label adds ("recently used", keys).
      const labels = await row.evaluateAll((els) => els.map((e) => (e.querySelector('.label-name')?.textContent ?? '').trim()));
      const index = labels.findIndex((label) => label === title || label.endsWith(`: ${title}`));
      if (index < 0) {
        await this.page.keyboard.press('Escape');
        return undefined;
      }
      await row.nth(index).click();
      return true;
    });
    // The command palette is gone (closed, or replaced by the command's own QuickPick) before anything else is
    // typed: a palette still closing swallowed the next command's F1.
    const input = this.quickInput.locator('.quick-input-box input');
    await until(`the palette to close after "${title}"`, 5_000, async () =>
      !(await this.quickInput.isVisible()) || (await input.inputValue({ timeout: 500 }).catch(() => '')) !== `>${title}` ? true : undefined,
    ).catch(() => undefined);
  }

  /**
   * Waits until the Settings editor's Remote tab shows `value` for the enum setting `id` (e.g. after the Remote
   * settings.json changed on disk): then the workbench, and the extension host with it, has the new value.
   * Closes the Settings editor.
   */
  async waitForRemoteSetting(id: string, value: string, timeoutMs = 30_000): Promise<void> {
    await this.runCommand('Preferences: Open Settings (UI)');
    const editor = this.page.locator('.settings-editor');
    await editor.waitFor({ timeout: 10_000 });
    await this.page.keyboard.type(`@id:${id}`);
    await editor.locator('.settings-tabs-widget .action-label', { hasText: /^Remote/ }).click();
    // The one setting found: its drop-down's selected option.
    const select = editor.locator('.setting-item-contents select').first();
    const shown = () => select.evaluate((el) => (el as unknown as { options: { text: string }[]; selectedIndex: number }).options[(el as unknown as { selectedIndex: number }).selectedIndex]?.text ?? null, undefined, { timeout: 1_000 });
    await until(`the Settings editor to show ${id} = ${value}`, timeoutMs, async () => ((await shown().catch(() => null)) === value ? true : undefined));
    await this.runCommand('View: Close Editor');
  }

  /** Waits for a QuickPick titled `title` (substring or pattern) and returns its rows' accessible labels. */
  async quickPickItems(title: string | RegExp, timeoutMs = 30_000): Promise<string[]> {
    await this.quickInput.locator('.quick-input-title', { hasText: title }).waitFor({ timeout: timeoutMs });
    await this.quickInput.locator('.quick-input-list .monaco-list-row').first().waitFor({ timeout: timeoutMs });
    return this.quickInput.locator('.quick-input-list .monaco-list-row').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  }

  /** Clicks the item whose label contains `item` in the QuickPick titled `title`. */
  async pick(title: string | RegExp, item: string | RegExp, timeoutMs = 30_000): Promise<void> {
    await this.quickPickItems(title, timeoutMs);
    await this.quickInput.locator('.quick-input-list .monaco-list-row', { hasText: item }).first().click();
  }

  /**
   * Answers the InputBox titled `title` whose prompt contains `prompt`: checks the proposed value, types
   * `value`, checks that it is accepted (no validation message) and presses Enter. Returns the proposed value.
   */
  async answer(title: string | RegExp, prompt: string, value: string, timeoutMs = 30_000): Promise<string> {
    await this.quickInput.locator('.quick-input-title', { hasText: title }).waitFor({ timeout: timeoutMs });
    const message = this.quickInput.locator('.quick-input-message');
    await message.filter({ hasText: prompt }).waitFor({ timeout: timeoutMs });
    const input = this.quickInput.locator('.quick-input-box input');
    const proposed = await input.inputValue();
    await input.fill(value);
    // The InputBox validates as one types: the prompt stays when the value is accepted.
    await message.filter({ hasText: prompt }).waitFor({ timeout: 5_000 });
    await input.press('Enter');
    return proposed;
  }

  /** The validation message the InputBox shows for `value` (then the field is cleared back to `restore`). */
  async validationMessage(value: string): Promise<string> {
    const input = this.quickInput.locator('.quick-input-box input');
    const message = this.quickInput.locator('.quick-input-message');
    const before = (await message.innerText()).trim();
    await input.fill(value);
    return until(`a validation message for "${value}"`, 5_000, async () => {
      const text = (await message.innerText()).trim();
      return text !== before ? text : undefined;
    });
  }

  // --- side bar and trees ---------------------------------------------------------------------------

  /** Clicks the activity bar item of a view container (e.g. "Small Convnet") and waits for its side bar. */
  async showViewContainer(name: string): Promise<void> {
    const item = this.page.locator(`.part.activitybar .action-item .action-label[aria-label^="${name}"]`).first();
    const selected = await item.evaluate((el) => el.closest('.action-item')?.classList.contains('checked') ?? false);
    if (!selected) await item.click();
    await this.page.locator('.part.sidebar .composite.title', { hasText: name }).first().waitFor({ state: 'attached', timeout: 10_000 }).catch(() => undefined);
  }

  /** Drags the sash between the side bar and the editor until the side bar is `width` pixels wide (about). */
  async resizeSidebar(width: number): Promise<void> {
    const box = await this.page.locator('.part.sidebar').boundingBox();
    if (box === null) return;
    const x = box.x + box.width;
    const y = box.y + box.height / 2;
    await this.page.mouse.move(x + 1, y);
    await this.page.mouse.down();
    await this.page.mouse.move(x + 1 + (width - box.width) / 2, y, { steps: 4 });
    await this.page.mouse.move(box.x + width + 1, y, { steps: 4 });
    await this.page.mouse.up();
  }

  /** The pane of the view titled `view` (e.g. "Subsets") in the side bar. */
  pane(view: string): Locator {
    return this.page.locator('.part.sidebar .pane').filter({ has: this.page.locator(`.pane-header[aria-label^="${view}"]`) });
  }

  async treeRows(view: string): Promise<TreeRow[]> {
    return this.pane(view)
      .locator('.monaco-list-row')
      .evaluateAll((els) => els.map((e) => ({ label: e.getAttribute('aria-label') ?? '', level: Number(e.getAttribute('aria-level') ?? '0') })));
  }

  /** The tree row of `view` whose accessible label starts with `label` (at `level` when given). */
  treeRow(view: string, label: string, level?: number): Locator {
    const levelSelector = level === undefined ? '' : `[aria-level="${level}"]`;
    return this.pane(view).locator(`.monaco-list-row${levelSelector}[aria-label^="${label.replace(/"/g, '\\"')}"]`).first();
  }

  async expand(row: Locator): Promise<void> {
    await row.waitFor({ timeout: 30_000 });
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').click();
    await until('the tree row to expand', 10_000, async () => ((await row.getAttribute('aria-expanded')) === 'true' ? true : undefined));
  }

  /** Right-clicks `row` and returns the context menu's enabled item labels. */
  async openContextMenu(row: Locator): Promise<string[]> {
    await row.click({ button: 'right' });
    const menu = this.page.locator('.context-view .monaco-menu');
    await menu.locator('.action-item').first().waitFor({ timeout: 10_000 });
    return menu.locator('.action-item:not(.disabled) .action-label').evaluateAll((els) => els.map((e) => (e.textContent ?? '').trim()));
  }

  /**
   * Clicks a context menu item. The menu may let a click that comes right after it opened go by (it guards
   * against the opening right-click's mouseup): hover first, and click again while the menu stays open.
   */
  async clickContextMenuItem(label: string): Promise<void> {
    const menu = this.page.locator('.context-view .monaco-menu');
    const item = menu.locator('.action-item', { hasText: label }).first();
    await until(`the context menu item "${label}" to be taken`, 10_000, async () => {
      if (!(await menu.isVisible())) return true;
      await item.hover();
      await sleep(150);
      await item.click({ timeout: 2_000 });
      await menu.waitFor({ state: 'hidden', timeout: 1_000 });
      return true;
    });
  }

  // --- webview panel --------------------------------------------------------------------------------

  /** The DOM of the extension's webview: the workbench's iframe.webview, then its iframe#active-frame. */
  webview(extensionId: string): FrameLocator {
    return this.page.frameLocator(`iframe.webview[src*="extensionId=${extensionId}"]`).frameLocator('iframe#active-frame');
  }

  /** The webview's content frame itself, for evaluating expressions (it is replaced when the webview reloads). */
  async webviewFrame(extensionId: string, timeoutMs = 30_000): Promise<Frame> {
    return until(`the webview of ${extensionId}`, timeoutMs, async () =>
      this.page.frames().find((frame) => frame.url().includes('/fake.html') && (frame.parentFrame()?.url() ?? '').includes(`extensionId=${extensionId}`)),
    );
  }

  /** The editor tabs' titles. */
  async editorTabs(): Promise<string[]> {
    return this.page.locator('.part.editor .tabs-container .tab').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  }

  /** Notification toasts' messages. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notification-toast .notification-list-item-message').allInnerTexts();
  }

  /** The toast whose message matches `message`. */
  notification(message: RegExp): Locator {
    return this.page.locator('.notification-toast', { has: this.page.locator('.notification-list-item-message', { hasText: message }) }).first();
  }

  /** The buttons of the toast whose message matches `message`, once it shows. */
  async notificationButtons(message: RegExp, timeoutMs = 30_000): Promise<string[]> {
    const toast = this.notification(message);
    await toast.waitFor({ timeout: timeoutMs });
    return (await toast.locator('.notification-list-item-buttons-container .monaco-button').allInnerTexts()).map((label) => label.trim());
  }

  async clickNotificationButton(message: RegExp, label: string): Promise<void> {
    await this.notification(message).locator('.notification-list-item-buttons-container .monaco-button', { hasText: label }).click({ timeout: 10_000 });
  }

  /** Closes the notification toasts; one that goes away by itself meanwhile is not waited for. */
  async clearNotifications(): Promise<void> {
    for (const close of await this.page.locator('.notification-toast .codicon-notifications-clear').all()) await close.click({ timeout: 2_000 }).catch(() => undefined);
  }

  // --- screenshots ----------------------------------------------------------------------------------

  /** The whole window, and optionally the side bar and the editor area alone; returns the window's file. */
  async screenshot(name: string, parts: { sidebar?: boolean; editor?: boolean } = {}): Promise<string> {
    this.shot += 1;
    const base = `${String(this.shot).padStart(2, '0')}-${name}`;
    await this.page.mouse.move(1599, 480);
    const file = join(this.screenshotsDir, `${base}.png`);
    await this.page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
    if (parts.sidebar) await this.page.locator('.part.sidebar').screenshot({ path: join(this.screenshotsDir, `${base}-sidebar.png`), animations: 'disabled' });
    if (parts.editor) await this.page.locator('.part.editor').screenshot({ path: join(this.screenshotsDir, `${base}-panel.png`), animations: 'disabled' });
    return file;
  }
}
