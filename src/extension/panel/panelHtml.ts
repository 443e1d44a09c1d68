/**
 * The training panel's HTML: a strict Content Security Policy, the bundled stylesheet and script, nothing
 * inline but the nonce'd script tag. Pure string code (no `vscode`, no DOM): the host passes
 * `webview.cspSource` and the `asWebviewUri` strings of dist/webview/panel.js and panel.css.
 */
import { randomBytes } from 'node:crypto';

export interface PanelHtmlOptions {
  /** `webview.cspSource`. */
  cspSource: string;
  /** From makeNonce(), new for every HTML document. */
  nonce: string;
  /** Webview URI of dist/webview/panel.js. */
  scriptUri: string;
  /** Webview URI of dist/webview/panel.css. */
  styleUri: string;
  title: string;
}

/** 32 random bytes, base64 (CSP nonces must be unguessable and unique per document). */
export function makeNonce(): string {
  return randomBytes(32).toString('base64');
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an HTML text node or a double-quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** The policy: only the webview's own resources, scripts only with the nonce, no eval. */
export function panelCsp(options: Pick<PanelHtmlOptions, 'cspSource' | 'nonce'>): string {
  const { cspSource, nonce } = options;
  return [
    `default-src 'none'`,
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
  ].join('; ') + ';';
}

export function panelHtml(options: PanelHtmlOptions): string {
  const { nonce, scriptUri, styleUri, title } = options;
  if (!/^[A-Za-z0-9+/=_-]+$/.test(nonce)) throw new Error('panelHtml: the nonce must be base64 (use makeNonce())');
  const csp = escapeHtml(panelCsp(options));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(styleUri)}" nonce="${nonce}">
<title>${escapeHtml(title)}</title>
</head>
<body>
<main id="app" class="app"></main>
<script nonce="${nonce}" src="${escapeHtml(scriptUri)}"></script>
</body>
</html>
`;
}
