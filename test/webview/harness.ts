/**
 * Test harness for the panel: builds webview-ui into a temporary folder, serves it from 127.0.0.1 inside the
 * HTML of panelHtml() (real CSP and nonce), and stands in for VS Code in the page: acquireVsCodeApi records
 * posted messages and keeps setState in sessionStorage (so a reload restores it), host messages arrive as
 * window message events, and the theme variables come from a stylesheet keyed on the body class.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { makeNonce, panelHtml } from '../../src/extension/panel/panelHtml';
import type { HostToWebviewMessage } from '../../src/shared/webviewProtocol';
import { THEME_CSS } from './themeCss';
import { until } from '../helpers/until';

export const CHROMIUM = '/usr/bin/chromium';
const ROOT = join(__dirname, '..', '..');

/** Fails with what to do when Debian's Chromium is not installed. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The panel tests need Chromium at ${CHROMIUM}. Install it with: sudo apt-get install chromium`);
  }
}

export async function launchChromium(): Promise<Browser> {
  requireChromium();
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Builds webview-ui/main.ts as esbuild.mjs does (iife for the browser, CSS beside it). */
export async function buildPanel(): Promise<{ dir: string; dispose(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'small-convnet-panel-'));
  await esbuild.build({
    entryPoints: { panel: join(ROOT, 'webview-ui', 'main.ts') },
    outdir: dir,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'silent',
  });
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface PanelServer {
  origin: string;
  /** The URL standing in for the webview URI of a local image file. */
  imageUri(path: string): string;
  close(): Promise<void>;
}

export function startServer(options: { bundleDir: string; images: ReadonlyMap<string, Buffer> }): Promise<PanelServer> {
  const paths = [...options.images.keys()];
  let origin = '';
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', origin);
    const send = (status: number, type: string, body: string | Buffer): void => {
      response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      response.end(body);
    };
    if (url.pathname === '/') {
      const html = panelHtml({
        cspSource: origin,
        nonce: makeNonce(),
        scriptUri: `${origin}/panel.js`,
        styleUri: `${origin}/panel.css`,
        title: 'Small Convnet',
      });
      // VS Code injects its theme variables and the body class; the test page does the same with a stylesheet.
      send(200, 'text/html', html.replace('</head>', `<link rel="stylesheet" href="${origin}/theme.css">\n</head>`).replace('<body>', '<body class="vscode-light">'));
    } else if (url.pathname === '/panel.js' || url.pathname === '/panel.css') {
      const file = join(options.bundleDir, url.pathname.slice(1));
      send(200, url.pathname.endsWith('.js') ? 'text/javascript' : 'text/css', readFileSync(file));
    } else if (url.pathname === '/theme.css') {
      send(200, 'text/css', THEME_CSS);
    } else if (url.pathname.startsWith('/img/')) {
      const image = options.images.get(paths[Number(url.pathname.slice(5, -4))] ?? '');
      if (image) send(200, 'image/png', image);
      else send(404, 'text/plain', 'no such image');
    } else if (url.pathname === '/favicon.ico') {
      send(204, 'image/x-icon', '');
    } else {
      send(404, 'text/plain', 'not found');
    }
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve({
        origin,
        imageUri: (path) => `${origin}/img/${paths.indexOf(path)}.png`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/** Runs in the page before the panel's script: VS Code's acquireVsCodeApi, and what the test observes. */
const STAND_IN_SCRIPT = `
(() => {
  const KEY = 'small-convnet-test-state';
  const test = { posted: [], violations: [], sentinels: [] };
  window.__test = test;
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi may be called only once');
    acquired = true;
    return Object.freeze({
      postMessage: (message) => { test.posted.push(JSON.parse(JSON.stringify(message))); },
      getState: () => { const saved = sessionStorage.getItem(KEY); return saved === null ? undefined : JSON.parse(saved); },
      setState: (state) => { sessionStorage.setItem(KEY, JSON.stringify(state)); return state; },
    });
  };
  document.addEventListener('securitypolicyviolation', (e) => {
    test.violations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber);
  });
  window.addEventListener('message', (e) => {
    if (e.data && e.data.type === '__test-sentinel') test.sentinels.push(e.data.id);
  });
})();
`;

export interface PanelPage {
  page: Page;
  /** Console errors, page errors and failed requests seen so far. */
  errors: string[];
  /** Sends host messages and waits until the panel has handled them. */
  send(messages: readonly HostToWebviewMessage[]): Promise<void>;
  posted(): Promise<Record<string, unknown>[]>;
  clearPosted(): Promise<void>;
  violations(): Promise<string[]>;
  setTheme(theme: 'vscode-light' | 'vscode-dark' | 'vscode-high-contrast'): Promise<void>;
}

/**
 * Polls `expression` in the page until it is true. (Not page.waitForFunction: with a string it evals inside
 * the page, which the panel's CSP rightly forbids; page.evaluate runs through the DevTools protocol.)
 */
export async function waitUntil(page: Page, expression: string, timeoutMs = 5_000): Promise<void> {
  await until(expression, async () => ((await page.evaluate(expression)) === true ? true : undefined), { timeoutMs, intervalMs: 10 });
}

function asRecords(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) throw new Error('expected an array from the page');
  return value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null);
}

function asStrings(value: unknown): string[] {
  if (!Array.isArray(value)) throw new Error('expected an array from the page');
  return value.map(String);
}

export async function openPanel(browser: Browser, server: PanelServer, viewport = { width: 1000, height: 800 }): Promise<PanelPage> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => errors.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  await page.addInitScript({ content: STAND_IN_SCRIPT });
  await page.goto(`${server.origin}/`);
  let sentinel = 0;
  return {
    page,
    errors,
    async send(messages) {
      const id = ++sentinel;
      await page.evaluate(`(${JSON.stringify(messages)}).forEach((m) => window.postMessage(m, '*')); window.postMessage({ type: '__test-sentinel', id: ${id} }, '*');`);
      await waitUntil(page, `window.__test.sentinels.includes(${id})`);
    },
    posted: async () => asRecords(await page.evaluate('window.__test.posted')),
    clearPosted: async () => {
      await page.evaluate('window.__test.posted.length = 0');
    },
    violations: async () => asStrings(await page.evaluate('window.__test.violations')),
    async setTheme(theme) {
      await page.evaluate(`document.body.classList.remove('vscode-light', 'vscode-dark', 'vscode-high-contrast'); document.body.classList.add(${JSON.stringify(theme)});`);
    },
  };
}
