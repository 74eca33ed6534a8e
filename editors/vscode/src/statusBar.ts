// Why this file exists: a glance at where you are — the workspace's latest Codex session and
// how many questions in it are still open — without opening anything. It asks the server
// (`sessionlens.status`) on save, on switching editors and every half minute; a click summarizes.

import * as vscode from 'vscode';
import { Command, type StatusArgs, type StatusResult } from './protocol';
import type { SessionLensClient } from './client';

export const REFRESH_MS = 30_000;

/** The item's text and tooltip for a status answer (`undefined`: the server is not running). */
export function statusText(status: StatusResult | undefined): { text: string; tooltip: string } {
  if (!status) {
    return { text: '$(circle-slash) Session Lens', tooltip: 'Session Lens: the server is not running' };
  }
  if (!status.enabled) {
    return { text: '$(eye-closed) Session Lens: off', tooltip: 'Session Lens is off ("Session Lens: Toggle" turns it on)' };
  }
  const ws = status.workspace;
  // The session's own open questions when the server reports them; else the workspace's.
  const session = status.session?.id ?? ws?.latestSession;
  if (!ws || !session) {
    return {
      text: '$(history) Session Lens',
      tooltip: `Session Lens: no Codex session about this workspace yet (${status.insights} insights in the store)`,
    };
  }
  const plural = (n: number) => (n === 0 ? 'no open gaps' : n === 1 ? '1 open gap' : `${n} open gaps`);
  const own = status.session ? plural(status.session.openGaps) : plural(ws.openGaps);
  const topics = status.session?.openTopics.length ? ` (${status.session.openTopics.join(', ')})` : '';
  const inWorkspace = status.session ? `; ${plural(ws.openGaps)} in this workspace` : ' in this workspace';
  return {
    text: `$(history) ${session.slice(0, 8)} · ${own}`,
    tooltip: `Session Lens: latest session ${session}, ${own}${topics}${inWorkspace}` +
      `${ws.indexed ? '' : ' (still indexing)'}. Click to summarize it.`,
  };
}

export function createStatusBar(client: SessionLensClient, summarizeCommand: string): vscode.Disposable & { refresh(): void } {
  const item = vscode.window.createStatusBarItem('sessionlens.status', vscode.StatusBarAlignment.Left, 10);
  item.name = 'Session Lens';
  item.command = summarizeCommand;
  let pending: Promise<void> | undefined;
  const refresh = () => {
    if (pending) return;
    pending = (async () => {
      let status: StatusResult | undefined;
      if (client.running) {
        const uri = vscode.window.activeTextEditor?.document.uri;
        const args: StatusArgs[] = uri?.scheme === 'file' ? [{ uri: uri.toString() }] : [];
        status = await client.execute<StatusResult>(Command.status, args).catch(() => undefined);
      }
      const { text, tooltip } = statusText(status);
      item.text = text;
      item.tooltip = tooltip;
      item.show();
    })().finally(() => {
      pending = undefined;
    });
  };
  const timer = setInterval(refresh, REFRESH_MS);
  const subs = [
    item,
    vscode.workspace.onDidSaveTextDocument(refresh),
    vscode.window.onDidChangeActiveTextEditor(refresh),
    client.onDidChangeRunning(refresh),
    new vscode.Disposable(() => clearInterval(timer)),
  ];
  refresh();
  return { refresh, dispose: () => subs.forEach((d) => d.dispose()) };
}
