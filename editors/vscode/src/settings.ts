// Why this file exists: the two decisions made before the server starts — which binary to run,
// and which settings to hand it — kept free of VS Code and of the language client so they are
// plain functions, unit-tested under node (editors/vscode/test/unit.test.ts).

import * as path from 'node:path';
import { DIAGNOSTICS_SETTINGS, type DiagnosticsSetting, type ServerSettings } from './protocol';

/** The subset of `vscode.WorkspaceConfiguration` read here. */
export interface ConfigReader {
  get<T>(key: string): T | undefined;
}

/** The `sessionlens.*` settings as the server wants them, every one of `ServerSettings` (the
 *  names are the server's; tests/it/protocol.rs checks each is read here). Unset paths are left out,
 *  so the server's own defaults (environment variables, platform directories) apply; a value of
 *  the wrong type is left out too, and the server keeps its default. */
export function serverSettings(config: ConfigReader): ServerSettings {
  const out: ServerSettings = {};
  const bool = (key: 'enable' | 'lenses' | 'watchCodex') => {
    const v = config.get<unknown>(key);
    if (typeof v === 'boolean') out[key] = v;
  };
  bool('enable');
  bool('lenses');
  bool('watchCodex');
  const d = config.get<unknown>('diagnostics');
  if (typeof d === 'string' && (DIAGNOSTICS_SETTINGS as readonly string[]).includes(d)) {
    out.diagnostics = d as DiagnosticsSetting;
  }
  const str = (key: 'dataDir' | 'codexHome' | 'learningsFile') => {
    const v = config.get<unknown>(key);
    if (typeof v === 'string' && v.trim() !== '') out[key] = v.trim();
  };
  str('dataDir');
  str('codexHome');
  str('learningsFile');
  const num = (key: 'notesAfterIdleSeconds' | 'learningsArchiveAfterDays') => {
    const v = config.get<unknown>(key);
    if (typeof v === 'number' && Number.isFinite(v)) out[key] = v;
  };
  num('notesAfterIdleSeconds');
  num('learningsArchiveAfterDays');
  const exclude = config.get<unknown>('exclude');
  if (Array.isArray(exclude)) {
    out.exclude = exclude
      .filter((p): p is string => typeof p === 'string' && p.trim() !== '')
      .map((p) => p.trim());
  }
  return out;
}

/** Settings that only take effect when the server starts: changing one restarts it. */
export const RESTART_SETTINGS = ['binaryPath', 'dataDir', 'codexHome', 'watchCodex'] as const;

/** Where a binary was found, and how. */
export interface Resolved {
  path: string;
  from: 'setting' | 'environment' | 'PATH' | 'bundled';
}

/** What binary resolution needs from the outside world; `isExecutable` is the only I/O. */
export interface ResolveEnv {
  /** The `sessionlens.binaryPath` setting (may be empty, may start with `~/`). */
  setting?: string;
  /** `$SESSIONLENS_SERVER`: how tests point the extension at target/debug. */
  envOverride?: string;
  /** `process.env.PATH`. */
  pathVar?: string;
  /** The extension's own folder, which may hold `bin/sessionlens`. */
  extensionPath: string;
  platform: NodeJS.Platform;
  home?: string;
  isExecutable(file: string): boolean;
}

export const BINARY = 'sessionlens';

function exeName(platform: NodeJS.Platform): string {
  return platform === 'win32' ? `${BINARY}.exe` : BINARY;
}

/** The binary to start: the setting, else `$SESSIONLENS_SERVER`, else `sessionlens` on PATH,
 *  else the copy bundled under `bin/` in the extension. A setting or variable that names no
 *  executable is an error, not a reason to fall back silently: the developer asked for that file. */
export function resolveBinary(env: ResolveEnv): Resolved | { error: string } {
  const p = env.platform === 'win32' ? path.win32 : path.posix;
  const explicit: [string | undefined, Resolved['from'], string][] = [
    [env.setting, 'setting', 'The sessionlens.binaryPath setting'],
    [env.envOverride, 'environment', 'The SESSIONLENS_SERVER environment variable'],
  ];
  for (const [value, from, what] of explicit) {
    const given = value?.trim();
    if (!given) continue;
    const expanded = given.startsWith('~/') && env.home ? p.join(env.home, given.slice(2)) : given;
    if (env.isExecutable(expanded)) return { path: expanded, from };
    return { error: `${what} names ${expanded}, which is not an executable file.` };
  }
  const name = exeName(env.platform);
  const sep = env.platform === 'win32' ? ';' : ':';
  for (const dir of (env.pathVar ?? '').split(sep)) {
    if (!dir) continue;
    const candidate = p.join(dir, name);
    if (env.isExecutable(candidate)) return { path: candidate, from: 'PATH' };
  }
  const bundled = p.join(env.extensionPath, 'bin', name);
  if (env.isExecutable(bundled)) return { path: bundled, from: 'bundled' };
  return { error: 'Session Lens could not find the `sessionlens` binary on PATH or bundled with the extension.' };
}

/** The one message shown when no binary is found: what is wrong and how to fix it. */
export function missingBinaryMessage(error: string): string {
  return `${error} Install it with \`cargo install --path .\` from the Session Lens repository ` +
    '(or put it on PATH), or set "sessionlens.binaryPath" to its full path, then reload the window.';
}
