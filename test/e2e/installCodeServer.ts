/**
 * Installs code-server (a real VS Code workbench with a real Node extension host) from the npm registry into
 * the cache folder, once; later runs reuse it. Offline apart from the npm registry, as worked out in
 * shared/notes/vscode-host-offline.md:
 * - the install scripts must run (npm 11 blocks dependency scripts by default): code-server's postinstall
 *   installs VS Code's own node_modules, node-pty, kerberos and argon2 build from source;
 * - code-server's postinstall refuses root unless npm_config_unsafe_perm=true; node-pty's runs `npx node-gyp`,
 *   which needs npm_config_yes=true;
 * - @vscode/ripgrep downloads rg from GitHub unless its cache tarball exists in $TMPDIR: we make it from
 *   Debian's /usr/bin/rg;
 * - kerberos needs libkrb5-dev, the keyring module libsecret-1-dev (Debian packages; .ci/run installs them).
 *
 * Run alone: node --import tsx test/e2e/installCodeServer.ts
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, CODE_SERVER_VERSION } from './paths';
import { lastLines } from './logTail';

/** @vscode/ripgrep as pinned by code-server 4.100.3, and the rg release its postinstall wants. */
const RIPGREP_PACKAGE_VERSION = '1.15.11';
const RIPGREP_TARBALL = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';
const DEBIAN_PACKAGES = 'ripgrep libkrb5-dev libsecret-1-dev python3 make g++';

export interface CodeServerInstall {
  /** The folder holding node_modules/code-server. */
  dir: string;
  /** code-server's Node entry point (run with Node 20). */
  entry: string;
  /** True when this call installed it (false: reused from the cache). */
  installed: boolean;
}

function findRipgrep(): string {
  for (const dir of (process.env.PATH ?? '').split(':').concat('/usr/bin')) {
    const candidate = join(dir, 'rg');
    if (dir && existsSync(candidate)) return candidate;
  }
  throw new Error(`code-server needs ripgrep (rg), which its installer would download from GitHub. Install it first: apt-get install -y ${DEBIAN_PACKAGES}`);
}

function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; log: string }): Promise<number> {
  const fd = openSync(options.log, 'a');
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', fd, fd] });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  }).finally(() => closeSync(fd)) as Promise<number>;
}


/** code-server in `<cache>/code-server-<version>`, installed when missing or unfinished. */
export async function ensureCodeServer(log: (line: string) => void = () => undefined): Promise<CodeServerInstall> {
  const dir = join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`);
  const entry = join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  const marker = join(dir, '.installed');
  if (existsSync(marker) && existsSync(entry)) return { dir, entry, installed: false };

  const rg = findRipgrep();
  // An unfinished install (no marker) is started again from nothing.
  rmSync(dir, { recursive: true, force: true });
  const tmp = join(dir, '.tmp');
  const xdg = join(dir, '.xdg');
  const ripgrepCache = join(tmp, `vscode-ripgrep-cache-${RIPGREP_PACKAGE_VERSION}`);
  mkdirSync(ripgrepCache, { recursive: true });
  mkdirSync(xdg, { recursive: true });
  const installLog = join(dir, 'install.log');
  const rgDir = join(tmp, 'rg-bin');
  mkdirSync(rgDir);
  writeFileSync(join(rgDir, 'rg'), readFileSync(rg), { mode: 0o755 });
  if ((await run('tar', ['-czf', join(ripgrepCache, RIPGREP_TARBALL), '-C', rgDir, 'rg'], { cwd: dir, env: process.env, log: installLog })) !== 0) {
    throw new Error(`Could not pack ${rg} for @vscode/ripgrep: ${lastLines(installLog, 20) ?? ''}`);
  }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'small-convnet-e2e-code-server', private: true }, null, 2)}\n`);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TMPDIR: tmp,
    XDG_CONFIG_HOME: join(xdg, 'config'),
    XDG_DATA_HOME: join(xdg, 'data'),
    XDG_CACHE_HOME: join(xdg, 'cache'),
    npm_config_unsafe_perm: 'true',
    npm_config_yes: 'true',
    // code-server's postinstall and the native modules must build; only code-server's pinned tree is installed here.
    npm_config_dangerously_allow_all_scripts: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
  };
  delete env.PORT;
  delete env.CODE_SERVER_HOST;
  log(`installing code-server ${CODE_SERVER_VERSION} from the npm registry into ${dir} (about a minute, once; log: ${installLog})`);
  const started = Date.now();
  const code = await run('npm', ['install', '--save-exact', '--no-package-lock', `code-server@${CODE_SERVER_VERSION}`], { cwd: dir, env, log: installLog });
  const vscodeModules = join(dir, 'node_modules', 'code-server', 'lib', 'vscode', 'node_modules');
  const missing = [
    entry,
    join(vscodeModules, 'node-pty', 'build', 'Release', 'pty.node'),
    join(vscodeModules, '@vscode', 'ripgrep', 'bin', 'rg'),
  ].filter((file) => !existsSync(file));
  if (code !== 0 || missing.length > 0) {
    throw new Error(
      `Installing code-server ${CODE_SERVER_VERSION} failed (npm exit code ${code}${missing.length > 0 ? `; missing ${missing.join(', ')}` : ''}). ` +
        `It needs the Debian packages ${DEBIAN_PACKAGES}. Last lines of ${installLog}:\n${lastLines(installLog, 40) ?? ''}`,
    );
  }
  rmSync(tmp, { recursive: true, force: true });
  rmSync(xdg, { recursive: true, force: true });
  writeFileSync(marker, `code-server ${CODE_SERVER_VERSION} installed ${new Date().toISOString()} in ${Math.round((Date.now() - started) / 1000)} s\n`);
  return { dir, entry, installed: true };
}

if (require.main === module) {
  ensureCodeServer((line) => console.log(line)).then(
    (install) => console.log(`${install.installed ? 'installed' : 'already installed'}: ${install.entry}`),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
