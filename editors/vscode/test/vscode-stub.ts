// Why this file exists: the unit tests run under plain node, where there is no `vscode` module.
// The modules under test only touch VS Code inside functions the tests do not call, so loading
// them needs nothing more than these empty stand-ins.
export const window = {};
export const workspace = {};
export const commands = {};
export const languages = {};
export class Disposable {
  constructor(private readonly fn: () => void) {}
  static from(...ds: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => ds.forEach((d) => d.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}
export class EventEmitter {}
export const StatusBarAlignment = { Left: 1, Right: 2 };
export const ProgressLocation = { Notification: 15 };
