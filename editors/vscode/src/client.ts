// Why this file exists: it owns the one LanguageClient that runs `sessionlens serve` — finding
// the binary, starting and restarting it, handing it the settings, and giving the other modules
// a typed way to run server commands and send the custom notification. Nothing else in the
// extension touches vscode-languageclient.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  State,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { COMMAND_FINISHED, type CommandFinishedParams } from './protocol';
import { RESTART_SETTINGS, missingBinaryMessage, resolveBinary, serverSettings } from './settings';

/** Overrides the binary before PATH and the bundled copy (tests point it at target/debug). */
export const SERVER_ENV_VAR = 'SESSIONLENS_SERVER';

/** How long to wait before looking for the binary a second time. */
const RESOLVE_RETRY_MS = 2000;

/** Called with the result of a server command run through VS Code's command registry (a code
 *  lens click, or another extension), so the result is shown rather than dropped. */
export type CommandResultHandler = (command: string, result: unknown) => void;

function isExecutable(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    if (process.platform !== 'win32') fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export class SessionLensClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly stateEmitter = new vscode.EventEmitter<boolean>();
  /** Fires with `true` when the server is running, `false` when it stops. */
  readonly onDidChangeRunning = this.stateEmitter.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly onCommandResult: CommandResultHandler,
  ) {
    this.disposables.push(
      this.stateEmitter,
      vscode.workspace.onDidChangeConfiguration((e) => this.configurationChanged(e)),
    );
  }

  get running(): boolean {
    return this.client?.state === State.Running;
  }

  private config(): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration('sessionlens');
  }

  /** Starts the server; shows one error with the fix and returns false if there is no binary. */
  async start(): Promise<boolean> {
    const resolve = () =>
      resolveBinary({
        setting: this.config().get<string>('binaryPath'),
        envOverride: process.env[SERVER_ENV_VAR],
        pathVar: process.env.PATH,
        extensionPath: this.context.extensionPath,
        platform: process.platform,
        home: os.homedir(),
        isExecutable,
      });
    let found = resolve();
    if ('error' in found) {
      // In code-server the extension host can activate before the user settings reach it, and
      // no change event follows when they do: look once more before reporting.
      await new Promise((r) => setTimeout(r, RESOLVE_RETRY_MS));
      found = resolve();
    }
    if ('error' in found) {
      const open = 'Open Settings';
      void vscode.window.showErrorMessage(missingBinaryMessage(found.error), open).then((pick) => {
        if (pick === open) {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'sessionlens.binaryPath');
        }
      });
      return false;
    }
    const serverOptions: ServerOptions = { command: found.path, args: ['serve'] };
    const onCommandResult = this.onCommandResult;
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file' }],
      initializationOptions: () => serverSettings(this.config()),
      middleware: {
        // The client registers every server command with VS Code; a code lens runs
        // `sessionlens.showInsights` through that registration. Keep its result.
        executeCommand: async (command, args, next) => {
          const result = await next(command, args);
          onCommandResult(command, result);
          return result;
        },
      },
    };
    const client = new LanguageClient('sessionlens', 'Session Lens', serverOptions, clientOptions);
    client.onDidChangeState((e) => this.stateEmitter.fire(e.newState === State.Running));
    this.client = client;
    client.info(`starting ${found.path} serve (binary from ${found.from})`);
    try {
      await client.start();
    } catch (e) {
      void vscode.window.showErrorMessage(`Session Lens: the server did not start: ${String(e)}`);
      return false;
    }
    return true;
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) await client.stop().catch(() => undefined);
  }

  async restart(): Promise<boolean> {
    await this.stop();
    return this.start();
  }

  /** Runs a server command directly (not through the middleware) and returns its result. */
  async execute<T>(command: string, args: unknown[] = []): Promise<T> {
    const client = this.client;
    if (!client || client.state !== State.Running) {
      throw new Error('the Session Lens server is not running');
    }
    return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args })) as T;
  }

  /** `sessionlens/commandFinished`; dropped while the server is not running. */
  commandFinished(params: CommandFinishedParams): void {
    if (this.running) void this.client?.sendNotification(COMMAND_FINISHED, params);
  }

  private configurationChanged(e: vscode.ConfigurationChangeEvent): void {
    if (!e.affectsConfiguration('sessionlens')) return;
    if (RESTART_SETTINGS.some((key) => e.affectsConfiguration(`sessionlens.${key}`))) {
      void this.restart();
      return;
    }
    if (this.running) {
      void this.client?.sendNotification(DidChangeConfigurationNotification.type, {
        settings: { sessionlens: serverSettings(this.config()) },
      });
    }
  }

  dispose(): void {
    void this.stop();
    for (const d of this.disposables) d.dispose();
  }
}
