// Why this file exists: VS Code's entry point. It only wires the modules together on activation
// and lets VS Code dispose of them on deactivation; every behaviour lives in a module of its own.

import * as vscode from 'vscode';
import { SessionLensClient } from './client';
import { PaletteCommand, registerCommands, showCommandResult } from './commands';
import { MarkdownPreviews } from './preview';
import { createStatusBar } from './statusBar';
import { captureTerminalCommands } from './terminal';

let client: SessionLensClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const previews = new MarkdownPreviews();
  client = new SessionLensClient(context, (command, result) => showCommandResult(previews, command, result));
  const statusBar = createStatusBar(client, PaletteCommand.summarize);
  const c = client;
  context.subscriptions.push(
    previews,
    c,
    statusBar,
    registerCommands(c, previews, () => statusBar.refresh()),
    captureTerminalCommands((p) => c.commandFinished(p)),
  );
  await c.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
