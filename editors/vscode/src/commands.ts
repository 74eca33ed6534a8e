// Why this file exists: the palette commands. Each runs one server command and shows its result
// the VS Code way: markdown as a preview, a choice as a QuickPick, a count as a message. Their
// IDs differ from the server's own command IDs, which the language client registers itself.

import * as vscode from 'vscode';
import type { SessionLensClient } from './client';
import type { MarkdownPreviews } from './preview';
import {
  Command,
  DIAGNOSTIC_SOURCE,
  OPEN_GAP_CODE,
  type IngestReport,
  type MarkArgs,
  type MarkResult,
  type OpenGapData,
  type ShowInsightsResult,
  type SummarizeArgs,
  type SummarizeResult,
  type TimelineArgs,
  type TimelineResult,
  type ToggleResult,
} from './protocol';

/** The palette commands (contributed in package.json). */
export const PaletteCommand = {
  summarize: 'sessionlens.summarize',
  timeline: 'sessionlens.timeline',
  resolve: 'sessionlens.resolve',
  toggle: 'sessionlens.toggleEnabled',
  ingest: 'sessionlens.ingest',
} as const;

/** The document the command is about: the active file, if it is one. */
function activeUriArg(): SummarizeArgs & TimelineArgs {
  const uri = vscode.window.activeTextEditor?.document.uri;
  return uri?.scheme === 'file' ? { uri: uri.toString() } : {};
}

/** The open-gap diagnostics VS Code holds, one pick per insight. */
export function openGapPicks(
  all: ReadonlyArray<[vscode.Uri, readonly vscode.Diagnostic[]]>,
  relative: (uri: vscode.Uri) => string,
): (vscode.QuickPickItem & { insight: string })[] {
  const picks = new Map<string, vscode.QuickPickItem & { insight: string }>();
  for (const [uri, diags] of all) {
    for (const d of diags) {
      const code = typeof d.code === 'object' ? d.code.value : d.code;
      const data = (d as vscode.Diagnostic & { data?: Partial<OpenGapData> }).data;
      if (d.source !== DIAGNOSTIC_SOURCE || code !== OPEN_GAP_CODE || typeof data?.insight !== 'string') continue;
      if (picks.has(data.insight)) continue;
      picks.set(data.insight, {
        label: d.message.split('\n')[0],
        description: `${relative(uri)}:${d.range.start.line + 1}`,
        insight: data.insight,
      });
    }
  }
  return [...picks.values()];
}

export function registerCommands(
  client: SessionLensClient,
  previews: MarkdownPreviews,
  afterChange: () => void,
): vscode.Disposable {
  const run = (id: string, fn: (...args: any[]) => Promise<unknown>) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        await fn(...args);
      } catch (e) {
        void vscode.window.showErrorMessage(`Session Lens: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  return vscode.Disposable.from(
    run(PaletteCommand.summarize, async () => {
      const r = await client.execute<SummarizeResult>(Command.summarizeSession, [activeUriArg()]);
      await previews.show(`Session ${r.session.slice(0, 8)} summary`, r.markdown);
      if (r.file && r.changed) vscode.window.setStatusBarMessage(`Session Lens: summary written to ${r.file}`, 5000);
    }),
    run(PaletteCommand.timeline, async () => {
      const r = await client.execute<TimelineResult>(Command.showTimeline, [activeUriArg()]);
      await previews.show(`Session ${r.session.slice(0, 8)} timeline`, r.markdown);
    }),
    run(PaletteCommand.resolve, async (insight?: unknown) => {
      let id = typeof insight === 'string' ? insight : undefined;
      if (!id) {
        const picks = openGapPicks(vscode.languages.getDiagnostics(), (u) => vscode.workspace.asRelativePath(u));
        if (picks.length === 0) {
          void vscode.window.showInformationMessage('Session Lens: no open question in the files you have open.');
          return;
        }
        id = (await vscode.window.showQuickPick(picks, { placeHolder: 'Which question have you settled?', matchOnDescription: true }))?.insight;
      }
      if (!id) return;
      const r = await client.execute<MarkResult>(Command.resolveInsight, [{ insight: id } satisfies MarkArgs]);
      afterChange();
      const reopen = 'Reopen';
      const pick = await vscode.window.showInformationMessage(`Session Lens: insight ${r.insight.slice(0, 12)} is ${r.status}.`, reopen);
      if (pick === reopen) {
        await client.execute<MarkResult>(Command.reopenInsight, [{ insight: r.insight } satisfies MarkArgs]);
        afterChange();
      }
    }),
    run(PaletteCommand.toggle, async () => {
      const r = await client.execute<ToggleResult>(Command.toggle);
      afterChange();
      vscode.window.setStatusBarMessage(`Session Lens is ${r.enabled ? 'on' : 'off'}`, 4000);
    }),
    run(PaletteCommand.ingest, async () => {
      const r = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Session Lens: ingesting Codex sessions' },
        () => client.execute<IngestReport>(Command.ingestNow),
      );
      afterChange();
      const errors = r.errors?.length ? `, ${r.errors.length} files with errors (see the log)` : '';
      void vscode.window.showInformationMessage(
        `Session Lens: ${r.events_added} new events from ${r.files} files${errors}.`,
      );
    }),
  );
}

/** Shows what a server command run through VS Code's registry returned (a code lens click). */
export function showCommandResult(previews: MarkdownPreviews, command: string, result: unknown): void {
  if (command === Command.showInsights && result && typeof result === 'object') {
    const r = result as ShowInsightsResult;
    if (typeof r.markdown === 'string') void previews.show(`What you learned about ${r.symbol}`, r.markdown);
  }
}
