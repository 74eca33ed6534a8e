// Why this file exists: the extension's own logic — which binary it starts, what settings the
// server receives, what a finished terminal command becomes on the wire, what the status bar says,
// which diagnostics Resolve offers — checked under plain node (`npm test`), no VS Code needed.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { RESTART_SETTINGS, missingBinaryMessage, resolveBinary, serverSettings, type ResolveEnv } from '../src/settings';
import { commandFinishedParams, HeadTail, stripAnsi } from '../src/terminal';
import { statusText } from '../src/statusBar';
import { openGapPicks } from '../src/commands';
import { Command, COMMAND_FINISHED, type StatusResult } from '../src/protocol';

function env(executables: string[], over: Partial<ResolveEnv> = {}): ResolveEnv {
  return {
    pathVar: '/usr/local/bin:/opt/tools/bin',
    extensionPath: '/ext/sessionlens',
    platform: 'linux',
    home: '/home/dev',
    isExecutable: (f) => executables.includes(f),
    ...over,
  };
}

test('binary: the setting wins, with ~/ expanded', () => {
  const all = ['/home/dev/bin/sessionlens', '/usr/local/bin/sessionlens', '/ext/sessionlens/bin/sessionlens'];
  assert.deepEqual(resolveBinary(env(all, { setting: '~/bin/sessionlens' })), {
    path: '/home/dev/bin/sessionlens',
    from: 'setting',
  });
});

test('binary: a setting naming no executable is an error, not a silent fallback', () => {
  const r = resolveBinary(env(['/usr/local/bin/sessionlens'], { setting: '/nope/sessionlens' }));
  assert.ok('error' in r);
  assert.match(r.error, /binaryPath.*\/nope\/sessionlens/);
});

test('binary: then $SESSIONLENS_SERVER, which must name an executable too', () => {
  const all = ['/repo/target/debug/sessionlens', '/usr/local/bin/sessionlens'];
  assert.deepEqual(resolveBinary(env(all, { setting: '', envOverride: '/repo/target/debug/sessionlens' })), {
    path: '/repo/target/debug/sessionlens',
    from: 'environment',
  });
  const r = resolveBinary(env(all, { envOverride: '/repo/target/release/sessionlens' }));
  assert.ok('error' in r);
  assert.match(r.error, /SESSIONLENS_SERVER environment variable names \/repo\/target\/release\/sessionlens/);
});

test('binary: then PATH in order, then the bundled copy', () => {
  assert.deepEqual(resolveBinary(env(['/opt/tools/bin/sessionlens', '/ext/sessionlens/bin/sessionlens'], { setting: '  ' })), {
    path: '/opt/tools/bin/sessionlens',
    from: 'PATH',
  });
  assert.deepEqual(resolveBinary(env(['/ext/sessionlens/bin/sessionlens'], { pathVar: '' })), {
    path: '/ext/sessionlens/bin/sessionlens',
    from: 'bundled',
  });
});

test('binary: Windows looks for sessionlens.exe on a ;-separated PATH', () => {
  const r = resolveBinary(env(['C:\\tools\\sessionlens.exe'], { platform: 'win32', pathVar: 'C:\\bin;C:\\tools', extensionPath: 'C:\\ext' }));
  assert.deepEqual(r, { path: 'C:\\tools\\sessionlens.exe', from: 'PATH' });
});

test('binary: none found gives one message that says how to fix it', () => {
  const r = resolveBinary(env([]));
  assert.ok('error' in r);
  const msg = missingBinaryMessage(r.error);
  assert.match(msg, /cargo install --path \./);
  assert.match(msg, /sessionlens\.binaryPath/);
});

function config(values: Record<string, unknown>) {
  return { get: <T>(key: string) => values[key] as T | undefined };
}

test('settings: every server setting is passed, unset paths left to the server', () => {
  assert.deepEqual(
    serverSettings(config({
      enable: false, lenses: true, diagnostics: 'warning', dataDir: ' ~/data ', codexHome: '',
      watchCodex: false, learningsFile: 'notes/learnings.md', notesAfterIdleSeconds: 0,
      learningsArchiveAfterDays: 90, binaryPath: '/x/sessionlens',
    })),
    {
      enable: false, lenses: true, diagnostics: 'warning', dataDir: '~/data', watchCodex: false,
      learningsFile: 'notes/learnings.md', notesAfterIdleSeconds: 0, learningsArchiveAfterDays: 90,
    },
  );
});

test('settings: values of the wrong type or outside the enum are left out', () => {
  assert.deepEqual(serverSettings(config({ enable: 'yes', lenses: 1, diagnostics: 'loud', dataDir: 3 })), {});
  assert.deepEqual(serverSettings(config({ diagnostics: 'off' })), { diagnostics: 'off' });
  assert.deepEqual(
    serverSettings(config({ watchCodex: 'no', notesAfterIdleSeconds: '300', learningsArchiveAfterDays: Number.NaN })),
    {},
  );
  assert.deepEqual(serverSettings(config({ notesAfterIdleSeconds: -1 })), { notesAfterIdleSeconds: -1 });
  assert.deepEqual(serverSettings(config({ exclude: [' ~/clients ', '', 3] })), { exclude: ['~/clients'] });
  assert.deepEqual(serverSettings(config({ exclude: '~/clients' })), {});
});

test('settings: watchCodex, like the paths, is read only when the server starts', () => {
  assert.ok((RESTART_SETTINGS as readonly string[]).includes('watchCodex'));
  assert.ok(!(RESTART_SETTINGS as readonly string[]).includes('notesAfterIdleSeconds'));
});

test('terminal: a finished command becomes the commandFinished payload', () => {
  assert.equal(COMMAND_FINISHED, 'sessionlens/commandFinished');
  assert.deepEqual(
    commandFinishedParams({
      commandLine: ' npm run build ', cwd: '/home/dev/todo', exitCode: 2, startedAt: 1000, endedAt: 6300.4,
      output: '\x1b]633;C\x07\x1b[31merror\x1b[0m TS2322\r\n',
    }),
    { command: 'npm run build', cwd: '/home/dev/todo', exitCode: 2, durationMs: 5300, output: 'error TS2322' },
  );
});

test('terminal: unknown exit code, start or cwd are left out; empty commands are dropped', () => {
  assert.deepEqual(commandFinishedParams({ commandLine: 'ls', endedAt: 5, exitCode: undefined }), { command: 'ls' });
  assert.deepEqual(commandFinishedParams({ commandLine: 'true', exitCode: 0, endedAt: 5 }), { command: 'true', exitCode: 0 });
  assert.equal(commandFinishedParams({ commandLine: '   ', endedAt: 1 }), undefined);
});

test('terminal: output keeps its head and tail', () => {
  const h = new HeadTail(10);
  h.push('abcdefgh');
  h.push('ijklmnopqrstuvwxyz');
  assert.equal(h.text(), 'abcde\n…\nvwxyz');
  const small = new HeadTail(10);
  small.push('abc');
  small.push('def');
  assert.equal(small.text(), 'abcdef');
  assert.equal(stripAnsi('\x1b[1;32mok\x1b[0m\r\n'), 'ok\n');
});

function status(over: Partial<StatusResult> = {}, ws: Partial<NonNullable<StatusResult['workspace']>> | null = {}): StatusResult {
  return {
    enabled: true, store: '/data/store.redb', events: 120, insights: 9, openGaps: 3, session: null,
    workspace: ws === null ? null : { root: '/ws', indexed: true, files: 12, openGaps: 2, latestSession: '019aad50-a7e6-7422', ...ws },
    ...over,
  };
}

test('status bar: session and open gaps, or why there are none', () => {
  assert.equal(statusText(status()).text, '$(history) 019aad50 · 2 open gaps');
  assert.match(statusText(status()).tooltip, /019aad50-a7e6-7422.*Click to summarize/);
  assert.equal(statusText(status({}, { openGaps: 1 })).text, '$(history) 019aad50 · 1 open gap');
  assert.equal(statusText(status({}, { openGaps: 0 })).text, '$(history) 019aad50 · no open gaps');
  assert.match(statusText(status({}, { indexed: false })).tooltip, /still indexing/);
  assert.equal(statusText(status({}, null)).text, '$(history) Session Lens');
  assert.equal(statusText(status({}, { latestSession: null })).text, '$(history) Session Lens');
  assert.equal(statusText(status({ enabled: false })).text, '$(eye-closed) Session Lens: off');
  // With the session's own count, that count is shown; the workspace's goes to the tooltip.
  const withSession = status({
    session: { id: '019b0000-1111', source: 'vscode', startedAt: null, turns: 4, openGaps: 1, openTopics: ['useEffect'] },
  });
  assert.equal(statusText(withSession).text, '$(history) 019b0000 · 1 open gap');
  assert.match(statusText(withSession).tooltip, /1 open gap \(useEffect\); 2 open gaps in this workspace/);
  assert.match(statusText(undefined).tooltip, /not running/);
});

test('resolve: one pick per open-gap insight, other diagnostics ignored', () => {
  const range = (line: number) => ({ start: { line, character: 0 } });
  const uri = (p: string) => ({ path: p });
  const d = (message: string, line: number, source: string, code: unknown, data?: unknown) =>
    ({ message, range: range(line), source, code, data }) as never;
  const picks = openGapPicks(
    [
      [uri('/ws/src/Header.tsx') as never, [
        d('Open question: useTodosContext\nmore', 2, 'sessionlens', 'open-gap', { insight: 'abc123' }),
        d('Same insight again', 9, 'sessionlens', { value: 'open-gap', target: {} }, { insight: 'abc123' }),
        d("Type 'number' is not assignable", 4, 'ts', 2322),
      ]],
      [uri('/ws/src/App.tsx') as never, [d('Open question: props', 0, 'sessionlens', { value: 'open-gap' }, { insight: 'def456' })]],
    ],
    (u) => (u as unknown as { path: string }).path.replace('/ws/', ''),
  );
  assert.deepEqual(picks, [
    { label: 'Open question: useTodosContext', description: 'src/Header.tsx:3', insight: 'abc123' },
    { label: 'Open question: props', description: 'src/App.tsx:1', insight: 'def456' },
  ]);
});

test('protocol: command names match docs/lsp-extensions.md', async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const doc = fs.readFileSync(path.resolve(__dirname, '../../docs/lsp-extensions.md'), 'utf8');
  for (const name of Object.values(Command)) assert.ok(doc.includes(`\`${name}\``), `${name} is not in docs/lsp-extensions.md`);
  assert.ok(doc.includes(COMMAND_FINISHED));
});
