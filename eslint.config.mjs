// ESLint (flat config) for every TypeScript file: typescript-eslint's recommended rules, and the folder
// boundaries of the layout: the trainer, the extension host and the webview import only from src/shared (and
// their own folder), never from each other; src/shared imports none of them; only the extension host imports
// `vscode`. Run by `npm test` (`npm run lint`).
import js from '@eslint/js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const ROOT = path.dirname(fileURLToPath(import.meta.url));

/** The runtime folder a file belongs to, or null (tests, scripts, config: they may import anything). */
function runtimeOf(file) {
  const rel = path.relative(ROOT, file).split(path.sep).join('/');
  if (rel.startsWith('src/shared/')) return 'shared';
  if (rel.startsWith('src/trainer/')) return 'trainer';
  if (rel.startsWith('src/extension/')) return 'extension';
  if (rel.startsWith('webview-ui/')) return 'webview';
  return null;
}

const WHY = {
  trainer: 'the trainer runs in its own process: it imports only from src/trainer and src/shared',
  extension: 'the extension host talks to the trainer over stdio and to the panel by messages: it imports only from src/extension and src/shared',
  webview: 'the panel runs in the browser: it imports only from webview-ui and src/shared',
  shared: 'src/shared is imported by every runtime and imports none of them',
};

/** Imports cross no runtime boundary (relative paths resolved against the importing file). */
const runtimeFolders = {
  meta: { type: 'problem', schema: [], docs: { description: 'Each runtime folder imports only from itself and src/shared.' } },
  create(context) {
    const from = runtimeOf(context.filename);
    if (from === null) return {};
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      if (source === 'vscode' && from !== 'extension') {
        context.report({ node, message: `Only src/extension may import vscode: ${WHY[from]}.` });
        return;
      }
      if (!source.startsWith('.')) return;
      const to = runtimeOf(path.resolve(path.dirname(context.filename), source));
      if (to !== null && to !== from && to !== 'shared') context.report({ node, message: `"${source}" is in ${to}: ${WHY[from]}.` });
      if (from === 'shared' && to !== 'shared') context.report({ node, message: `"${source}" is outside src/shared: ${WHY.shared}.` });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.scratch/**', 'media/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { layout: { rules: { 'runtime-folders': runtimeFolders } } },
    rules: {
      'layout/runtime-folders': 'error',
      // Unused names are an error, except those named _x on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);
