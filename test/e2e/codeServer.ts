/**
 * code-server as the test's VS Code: installs a .vsix into a fresh extensions folder, starts the server on
 * 127.0.0.1 (auth, telemetry and update checks off) in its own process group, and stops it with its whole
 * process tree (server, extension host, the trainer and its worker threads' process).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { descendantsOf, isAlive, listProcesses, signal, waitFor, type ProcessInfo } from './processes';
import { lastLines } from './logTail';

export interface CodeServerOptions {
  /** code-server's out/node/entry.js */
  entry: string;
  /** Holds user-data/, extensions/, xdg/ and tmp/: keep its path short (sockets live below it). */
  stateDir: string;
  /** code-server's output (appended). */
  logFile: string;
}

export interface CodeServer {
  url: string;
  pid: number;
  log: string;
  /** The server's living descendants (extension host, its children, ...). */
  descendants(): ProcessInfo[];
  /** Ends the whole process group and anything else below the server; safe to call twice. */
  dispose(): Promise<void>;
}

/** The user settings of the test profile: nothing that phones home, nothing that gets in the way. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'chat.commandCenter.enabled': false,
  'window.commandCenter': false,
  'git.enabled': false,
  'workbench.layoutControl.enabled': false,
};

function dirs(stateDir: string): { userData: string; extensions: string; xdg: string; tmp: string } {
  return {
    userData: join(stateDir, 'user-data'),
    extensions: join(stateDir, 'extensions'),
    xdg: join(stateDir, 'xdg'),
    tmp: join(stateDir, 'tmp'),
  };
}

/** The environment of code-server: its state out of $HOME, nothing that overrides --bind-addr. */
function serverEnv(stateDir: string): NodeJS.ProcessEnv {
  const d = dirs(stateDir);
  for (const dir of [d.userData, d.extensions, d.xdg, d.tmp]) mkdirSync(dir, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TMPDIR: d.tmp,
    XDG_CONFIG_HOME: join(d.xdg, 'config'),
    XDG_DATA_HOME: join(d.xdg, 'data'),
    XDG_CACHE_HOME: join(d.xdg, 'cache'),
  };
  for (const key of Object.keys(env)) {
    if (key === 'PORT' || key === 'CODE_SERVER_HOST' || key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE' || key.startsWith('NODE_TEST')) delete env[key];
  }
  return env;
}


function runToEnd(command: string, args: string[], env: NodeJS.ProcessEnv, log: string): Promise<number> {
  const fd = openSync(log, 'a');
  return new Promise<number>((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', fd, fd] });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  }).finally(() => closeSync(fd));
}

/** `code-server --install-extension X.vsix` into the state folder's fresh extensions folder. */
export async function installExtension(options: CodeServerOptions & { vsix: string }): Promise<void> {
  const d = dirs(options.stateDir);
  const env = serverEnv(options.stateDir);
  const code = await runToEnd(process.execPath, [options.entry, '--user-data-dir', d.userData, '--extensions-dir', d.extensions, '--install-extension', options.vsix], env, options.logFile);
  if (code !== 0) throw new Error(`code-server --install-extension ${options.vsix} failed (exit code ${code}):\n${lastLines(options.logFile, 30) ?? ''}`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function healthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

/** Ends `pids` with SIGTERM, then SIGKILL after `graceMs`. */
async function endAll(pids: () => number[], graceMs: number): Promise<void> {
  for (const pid of pids()) signal(pid, 'SIGTERM');
  if (await waitFor(() => pids().length === 0, graceMs)) return;
  for (const pid of pids()) signal(pid, 'SIGKILL');
  await waitFor(() => pids().length === 0, 5_000);
}

/**
 * Changes machine settings while the server runs, as a person editing settings.json does (VS Code watches the
 * file). code-server's windows are remote ones: settings of "machine" and "machine-overridable" scope (the
 * Backend setting is one) are read from the Remote settings (user-data/Machine/settings.json), not the User's.
 */
export function updateMachineSettings(stateDir: string, settings: Record<string, unknown>): void {
  const dir = join(dirs(stateDir).userData, 'Machine');
  const file = join(dir, 'settings.json');
  mkdirSync(dir, { recursive: true });
  const current = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  writeFileSync(file, `${JSON.stringify({ ...current, ...settings }, null, 2)}\n`);
}

export async function startCodeServer(options: CodeServerOptions & { extraSettings?: Record<string, unknown>; extraEnv?: Record<string, string> }): Promise<CodeServer> {
  const d = dirs(options.stateDir);
  const env = { ...serverEnv(options.stateDir), ...options.extraEnv };
  mkdirSync(join(d.userData, 'User'), { recursive: true });
  writeFileSync(join(d.userData, 'User', 'settings.json'), `${JSON.stringify({ ...USER_SETTINGS, ...options.extraSettings }, null, 2)}\n`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const fd = openSync(options.logFile, 'a');
  const child = spawn(
    process.execPath,
    [
      options.entry,
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--user-data-dir', d.userData,
      '--extensions-dir', d.extensions,
    ],
    // Its own process group: dispose() ends the server and everything it started in one go.
    { env, stdio: ['ignore', fd, fd], detached: true },
  );
  closeSync(fd);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`code-server could not be started: ${lastLines(options.logFile, 20) ?? ''}`);
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });

  let disposed: Promise<void> | undefined;
  const server: CodeServer = {
    url,
    pid,
    log: options.logFile,
    descendants: () => descendantsOf(pid),
    dispose() {
      disposed ??= (async () => {
        // Everything in the server's process group, plus descendants that left it (none expected).
        const ours = (): number[] => {
          const table = listProcesses();
          const below = descendantsOf(pid, table).map((p) => p.pid);
          const group = table.filter((p) => p.pgid === pid).map((p) => p.pid);
          return [...new Set([...(isAlive(pid) ? [pid] : []), ...group, ...below])];
        };
        await endAll(ours, 5_000);
      })();
      return disposed;
    },
  };

  const deadline = Date.now() + 60_000;
  let ready = false;
  while (!ready && !exited && Date.now() < deadline) {
    ready = await healthy(url);
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  if (!ready) {
    await server.dispose();
    throw new Error(`code-server did not answer on ${url}/healthz${exited ? ' (it exited)' : ' within 60 s'}:\n${lastLines(options.logFile, 30) ?? ''}`);
  }
  return server;
}
