// Why this file exists: the server answers several commands with markdown (a session summary, a
// timeline, the insights behind a code lens). This shows such markdown as a rendered preview of a
// read-only virtual document, so nothing is written to the workspace just to display it.

import * as vscode from 'vscode';

export const SCHEME = 'sessionlens';

export class MarkdownPreviews implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly docs = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(SCHEME, this);

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.docs.get(uri.path) ?? '';
  }

  /** Shows `markdown` rendered, under a title that names what it is. Showing the same title again
   *  replaces the content. Without the built-in markdown extension, the source is shown. */
  async show(title: string, markdown: string): Promise<void> {
    const uri = vscode.Uri.from({ scheme: SCHEME, path: `/${title.replace(/[\\/]/g, '-')}.md` });
    this.docs.set(uri.path, markdown);
    this.changed.fire(uri);
    try {
      await vscode.commands.executeCommand('markdown.showPreview', uri);
    } catch {
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: true });
    }
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
