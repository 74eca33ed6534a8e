// Why this file exists: it mirrors the server's protocol types (server/surface/lsp/protocol.rs
// and settings.rs, documented in docs/lsp-extensions.md) — the settings, the commands' arguments
// and results, and the one custom notification of `sessionlens serve` — so the rest of the
// extension speaks the server's wire format through names checked by the compiler. It imports
// nothing from VS Code. Each interface is named after its Rust type, and tests/it/protocol.rs fails
// when a name, a field, its optionality or its type differs from the server's.

/** The settings object, sent as `initializationOptions` and in `workspace/didChangeConfiguration`. */
export interface ServerSettings {
  enable?: boolean;
  lenses?: boolean;
  diagnostics?: DiagnosticsSetting;
  /** At start only. */
  dataDir?: string;
  /** At start only. */
  codexHome?: string;
  /** At start only. */
  watchCodex?: boolean;
  learningsFile?: string;
  /** The notetaker: seconds of quiet after a session's last turn before its entry is written; 0 or less: off. */
  notesAfterIdleSeconds?: number;
  /** Entries of sessions older than this many days move to learnings/archive/; 0: never. */
  learningsArchiveAfterDays?: number;
  /** Folders (or globs) never stored and where nothing is shown, added to the settings file's. */
  exclude?: string[];
}

export const DIAGNOSTICS_SETTINGS = ['hint', 'information', 'warning', 'error', 'off'] as const;
export type DiagnosticsSetting = (typeof DIAGNOSTICS_SETTINGS)[number];

/** The commands the server executes (`workspace/executeCommand`). */
export const Command = {
  summarizeSession: 'sessionlens.summarizeSession',
  resolveInsight: 'sessionlens.resolveInsight',
  reopenInsight: 'sessionlens.reopenInsight',
  showTimeline: 'sessionlens.showTimeline',
  showInsights: 'sessionlens.showInsights',
  ingestNow: 'sessionlens.ingestNow',
  toggle: 'sessionlens.toggle',
  status: 'sessionlens.status',
} as const;

export interface SummarizeArgs {
  session?: string;
  workspace?: string;
  uri?: string;
  write?: boolean;
}
export interface SummarizeResult {
  session: string;
  markdown: string;
  /** The learnings file written, or null when `write` was false. */
  file: string | null;
  changed: boolean;
  /** The entry's version in the store; only when written. */
  version?: number;
  /** The SHA-256 of the version before it (null: the first); only when written. */
  previousHash?: string | null;
}

export interface MarkArgs {
  /** An insight id or unique prefix. */
  insight: string;
  /** Where the mark is recorded when the insight has no folder of its own. */
  workspace?: string;
  uri?: string;
}
export interface MarkResult {
  insight: string;
  status: 'resolved' | 'open';
}

export interface TimelineArgs {
  session?: string;
  workspace?: string;
  uri?: string;
}
export interface TimelineResult {
  session: string;
  text: string;
  markdown: string;
}

/** What every code lens carries as its command's first argument. */
export interface ShowInsightsArgs {
  uri?: string;
  symbol: string;
  insights?: string[];
}
export interface ShowInsightsResult {
  symbol: string;
  markdown: string;
  insights: string[];
}

/** The ingest report. Its fields are snake_case, unlike the rest of the protocol. */
export interface IngestReport {
  files: number;
  sessions: number;
  events_added: number;
  errors: { path: string; error: string }[];
}

export interface ToggleArgs {
  /** On or off; left out: flip. */
  enabled?: boolean;
}
export interface ToggleResult {
  enabled: boolean;
}

export interface StatusArgs {
  uri?: string;
  workspace?: string;
}
export interface StatusResult {
  enabled: boolean;
  store: string | null;
  events: number;
  insights: number;
  openGaps: number;
  /** The latest Codex session run in the workspace, and the questions it left open. */
  session: StatusSession | null;
  workspace: StatusWorkspace | null;
}
export interface StatusSession {
  id: string;
  source: string;
  startedAt: string | null;
  turns: number;
  openGaps: number;
  openTopics: string[];
}
export interface StatusWorkspace {
  root: string;
  indexed: boolean;
  files: number;
  openGaps: number;
  latestSession: string | null;
}

/** The open-gap diagnostics: source, code, and the insight they are about in `data`. */
export const DIAGNOSTIC_SOURCE = 'sessionlens';
export const OPEN_GAP_CODE = 'open-gap';
export interface OpenGapData {
  insight: string;
}

/** Client → server: a command the editor's terminal saw finish. */
export const COMMAND_FINISHED = 'sessionlens/commandFinished';
export interface CommandFinishedParams {
  command: string;
  cwd?: string;
  exitCode?: number;
  durationMs?: number;
  output?: string;
}
