/** The panel's HTML: strict CSP with a fresh nonce, only the given URIs, escaped title. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeNonce, panelCsp, panelHtml } from '../../src/extension/panel/panelHtml';

const OPTIONS = {
  cspSource: 'https://*.vscode-cdn.net',
  nonce: makeNonce(),
  scriptUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/panel.js',
  styleUri: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/panel.css',
  title: 'Small Convnet <run & "1">',
};

describe('panelHtml', () => {
  it('makes a new random base64 nonce each time', () => {
    const a = makeNonce();
    assert.notEqual(a, makeNonce());
    assert.match(a, /^[A-Za-z0-9+/]{43}=$/);
  });

  it('allows only the webview source and the nonce, no eval, no inline script', () => {
    const csp = panelCsp(OPTIONS);
    assert.equal(
      csp,
      `default-src 'none'; img-src ${OPTIONS.cspSource} data:; style-src ${OPTIONS.cspSource} 'nonce-${OPTIONS.nonce}'; ` +
        `script-src 'nonce-${OPTIONS.nonce}'; font-src ${OPTIONS.cspSource};`,
    );
    assert.doesNotMatch(csp, /unsafe/);
  });

  it('loads the script and stylesheet from the given URIs with the nonce, and escapes the title', () => {
    const html = panelHtml(OPTIONS);
    assert.ok(html.includes(`<script nonce="${OPTIONS.nonce}" src="${OPTIONS.scriptUri}"></script>`));
    assert.ok(html.includes(`<link rel="stylesheet" href="${OPTIONS.styleUri}" nonce="${OPTIONS.nonce}">`));
    assert.ok(html.includes('<title>Small Convnet &lt;run &amp; &quot;1&quot;&gt;</title>'));
    assert.equal(html.match(/<script/g)?.length, 1);
    assert.doesNotMatch(html, /style="/);
    assert.throws(() => panelHtml({ ...OPTIONS, nonce: '"><script>' }));
  });
});
