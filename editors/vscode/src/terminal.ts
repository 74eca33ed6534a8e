// Why this file exists: commands typed in VS Code's terminal are struggle signals too (a build
// that fails right after an edit). With shell integration, VS Code reports each command's end;
// this turns that event into the `sessionlens/commandFinished` notification. The event API
// arrived in VS Code 1.93, later than the oldest version supported, so it is looked up at run time.

import * as vscode from 'vscode';
import type { CommandFinishedParams } from './protocol';

/** The parts of `vscode.TerminalShellExecution` (1.93+) used here. */
export interface ShellExecution {
  commandLine: { value: string };
  cwd?: { fsPath: string };
  read?(): AsyncIterable<string>;
}
interface ShellExecutionStart {
  execution: ShellExecution;
}
interface ShellExecutionEnd {
  execution: ShellExecution;
  exitCode: number | undefined;
}
type Listen<E> = (listener: (e: E) => unknown) => vscode.Disposable;

/** Output kept per command: its head and tail; the server excerpts it further. */
export const OUTPUT_KEEP = 16 * 1024;

/** The notification for one finished command, or nothing for an empty command line. */
export function commandFinishedParams(e: {
  commandLine: string;
  cwd?: string;
  exitCode?: number;
  startedAt?: number;
  endedAt: number;
  output?: string;
}): CommandFinishedParams | undefined {
  const command = e.commandLine.trim();
  if (!command) return undefined;
  const params: CommandFinishedParams = { command };
  if (e.cwd) params.cwd = e.cwd;
  if (typeof e.exitCode === 'number') params.exitCode = e.exitCode;
  if (e.startedAt !== undefined && e.endedAt >= e.startedAt) params.durationMs = Math.round(e.endedAt - e.startedAt);
  const output = e.output === undefined ? '' : stripAnsi(e.output).trim();
  if (output) params.output = output;
  return params;
}

/** Terminal output without colour codes and shell-integration escape sequences. */
export function stripAnsi(s: string): string {
  return s
    .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/g, '')
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\x1b[@-_]/g, '')
    .replace(/\r\n?/g, '\n');
}

/** Keeps the head and the tail of a growing text within `keep` characters. */
export class HeadTail {
  private head = '';
  private tail = '';
  private dropped = false;
  constructor(private readonly keep: number) {}
  push(chunk: string): void {
    const half = this.keep / 2;
    if (this.head.length < half) {
      const take = chunk.slice(0, half - this.head.length);
      this.head += take;
      chunk = chunk.slice(take.length);
    }
    if (!chunk) return;
    this.tail += chunk;
    if (this.tail.length > half) {
      this.tail = this.tail.slice(this.tail.length - half);
      this.dropped = true;
    }
  }
  text(): string {
    return this.dropped ? `${this.head}\n…\n${this.tail}` : this.head + this.tail;
  }
}

/** Reports every command that ends in a terminal with shell integration to `send`. */
export function captureTerminalCommands(send: (p: CommandFinishedParams) => void): vscode.Disposable {
  const w = vscode.window as unknown as {
    onDidStartTerminalShellExecution?: Listen<ShellExecutionStart>;
    onDidEndTerminalShellExecution?: Listen<ShellExecutionEnd>;
  };
  if (!w.onDidEndTerminalShellExecution) return new vscode.Disposable(() => undefined);
  const running = new Map<ShellExecution, { startedAt: number; output: HeadTail }>();
  const subs: vscode.Disposable[] = [];
  if (w.onDidStartTerminalShellExecution) {
    subs.push(
      w.onDidStartTerminalShellExecution((e) => {
        const entry = { startedAt: Date.now(), output: new HeadTail(OUTPUT_KEEP) };
        running.set(e.execution, entry);
        const stream = e.execution.read?.();
        if (stream) {
          void (async () => {
            try {
              for await (const chunk of stream) entry.output.push(chunk);
            } catch {
              // Output is optional; a broken stream only loses it.
            }
          })();
        }
      }),
    );
  }
  subs.push(
    w.onDidEndTerminalShellExecution((e) => {
      const started = running.get(e.execution);
      running.delete(e.execution);
      const params = commandFinishedParams({
        commandLine: e.execution.commandLine.value,
        cwd: e.execution.cwd?.fsPath,
        exitCode: e.exitCode,
        startedAt: started?.startedAt,
        endedAt: Date.now(),
        output: started?.output.text(),
      });
      if (params) send(params);
    }),
  );
  return vscode.Disposable.from(...subs);
}
