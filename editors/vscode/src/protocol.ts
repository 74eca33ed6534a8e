// Why this file exists: it mirrors docs/lsp-extensions.md — the settings, the commands and their
// results, and the one custom notification of `sessionlens serve` — so the rest of the extension
// speaks the server's wire format through names checked by the compiler. It imports nothing
// from VS Code; a change here is a change in the document and in server/surface/lsp/.

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
  uri: string;
  symbol: string;
  insights?: string[];
}
export interface ShowInsightsResult {
  symbol: string;
  markdown: string;
  insights: unknown[];
}

/** The ingest report. Its fields are snake_case, unlike the rest of the protocol. */
export interface IngestReport {
  files: number;
  sessions: number;
  events_added: number;
  errors: { path: string; error: string }[];
}

export interface ToggleResult {
  enabled: boolean;
}

export interface StatusResult {
  enabled: boolean;
  store: string | null;
  events: number;
  insights: number;
  openGaps: number;
  /** The latest Codex session run in the workspace, and the questions it left open. */
  session?: {
    id: string;
    source: string;
    startedAt: string | null;
    turns: number;
    openGaps: number;
    openTopics: string[];
  } | null;
  workspace: {
    root: string;
    indexed: boolean;
    files: number;
    openGaps: number;
    latestSession: string | null;
  } | null;
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
