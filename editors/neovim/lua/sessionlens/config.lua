-- The plugin's options in one place: every default, with what it does, and the one function that
-- turns options into the server's settings (docs/lsp-extensions.md, "Settings"). Everything else
-- reads options through `get()`, so `setup()` may be called again at any time. The server's types
-- (server/surface/lsp/settings.rs) are the source: tests/it/protocol.rs checks that server_settings()
-- sends every setting, from an option with the server's default and type.

local M = {}

---@class sessionlens.Options
M.defaults = {
  -- How to start the language server. The first word must be an executable (a name on PATH or a
  -- path); `:checkhealth sessionlens` says whether it is found.
  cmd = { 'sessionlens', 'serve' },

  -- The buffers the server attaches to: ordinary source files. The server links insights to
  -- code in TypeScript, TSX, JavaScript, Python and Rust; in the others it still records hand
  -- edits and shows what was learned about names used there. `{}` attaches to nothing (start it
  -- yourself with `vim.lsp.enable("sessionlens")`).
  filetypes = {
    'typescript',
    'typescriptreact',
    'javascript',
    'javascriptreact',
    'python',
    'rust',
    'go',
    'lua',
    'c',
    'cpp',
    'java',
    'kotlin',
    'ruby',
    'php',
    'swift',
    'sh',
  },

  -- The workspace root is the nearest folder holding one of these, tried in this order (so a
  -- Git repository wins over a package folder inside it, as Codex usually runs at the repository
  -- root). No marker: the server works out the file's project itself.
  root_markers = { '.git', 'package.json', 'pyproject.toml', 'Cargo.toml', 'go.mod', '.hg' },

  -- Attach automatically to buffers of `filetypes` (FileType autocommand). Off: nothing starts
  -- until you call `vim.lsp.enable("sessionlens")` (Neovim 0.11) or `require("sessionlens").attach()`.
  autostart = true,

  -- The master switch (server setting `enable`): off means no hover, lens or hint at all, while
  -- the server keeps recording. `:SessionLensToggle` flips it.
  enabled = true,

  -- Code lenses above functions you struggled with (server setting `lenses`).
  lenses = true,

  -- Severity of the hints on names with an open question: "hint", "information", "warning",
  -- "error", or "off" (server setting `diagnostics`).
  diagnostics = 'hint',

  -- Where the store lives (server setting `dataDir`, read when the server starts). nil: the
  -- server's default, $SESSIONLENS_DATA_DIR, else ~/.local/share/sessionlens.
  data_dir = nil,

  -- Whose Codex sessions to follow (server setting `codexHome`, read when the server starts).
  -- nil: $CODEX_HOME, else ~/.codex.
  codex_home = nil,

  -- Follow Codex's (and Claude Code's) session folders and ingest new turns as they are written
  -- (server setting `watchCodex`, at start only). Off: only `:SessionLensIngest` reads them.
  watch_codex = true,

  -- Where `:SessionLensSummary` writes, relative to the workspace root (server setting
  -- `learningsFile`).
  learnings_file = 'learnings.md',

  -- The notetaker (server setting `notesAfterIdleSeconds`): once a Codex session run in the
  -- workspace has ended and nothing new arrived for this many seconds, its entry is written to
  -- the learnings file by itself, once. 0 or less: off.
  notes_after_idle_seconds = 300,

  -- Entries of sessions older than this many days move from the learnings file to
  -- `learnings/archive/YYYY-MM.md` beside it whenever it is written (server setting
  -- `learningsArchiveAfterDays`). 0: never archive.
  learnings_archive_after_days = 30,

  -- Folders whose sessions, edits and commands are never stored, and where no hover, lens or hint
  -- is shown, with everything under them: full paths (`~/` is your home) or globs (server setting
  -- `exclude`), added to `exclude` in ~/.config/sessionlens/config.toml, which every process reads.
  exclude = {},

  -- Record commands run in `:terminal` buffers (`:terminal npm test`) and their exit status, as
  -- the VS Code extension does for its terminals. See `:help sessionlens-terminal` for the limits.
  terminal = true,

  -- Extra fields for the LSP client configuration (`:help vim.lsp.ClientConfig`), merged last:
  -- `on_attach`, `capabilities`, `handlers`, `detached`, ...
  client = {},
}

---@type sessionlens.Options
local options = vim.deepcopy(M.defaults)

--- Checks one value cheaply; the signature of vim.validate changed in 0.11.
local function validate(name, value, kind, optional)
  if vim.fn.has('nvim-0.11') == 1 then
    vim.validate(name, value, kind, optional)
  else
    vim.validate({ [name] = { value, kind, optional } })
  end
end

local severities = { hint = true, information = true, warning = true, error = true, off = true }

--- Merges `opts` over the defaults (not over earlier options: each setup() says it all) and
--- checks the types. Raises a readable error on a bad value.
---@param opts? table
function M.set(opts)
  validate('opts', opts, 'table', true)
  local o = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts or {})
  -- Lists replace the defaults rather than merging into them index by index.
  for _, key in ipairs({ 'cmd', 'filetypes', 'root_markers', 'exclude' }) do
    if opts and opts[key] ~= nil then
      o[key] = opts[key]
    end
  end
  validate('cmd', o.cmd, 'table')
  validate('cmd[1]', o.cmd[1], 'string')
  validate('filetypes', o.filetypes, 'table')
  validate('root_markers', o.root_markers, 'table')
  validate('autostart', o.autostart, 'boolean')
  validate('enabled', o.enabled, 'boolean')
  validate('lenses', o.lenses, 'boolean')
  validate('diagnostics', o.diagnostics, 'string')
  if not severities[o.diagnostics] then
    error('diagnostics: expected "hint", "information", "warning", "error" or "off", got ' .. o.diagnostics, 2)
  end
  validate('data_dir', o.data_dir, 'string', true)
  validate('codex_home', o.codex_home, 'string', true)
  validate('watch_codex', o.watch_codex, 'boolean')
  validate('learnings_file', o.learnings_file, 'string')
  validate('notes_after_idle_seconds', o.notes_after_idle_seconds, 'number')
  validate('learnings_archive_after_days', o.learnings_archive_after_days, 'number')
  validate('exclude', o.exclude, 'table')
  for i, p in ipairs(o.exclude) do
    validate('exclude[' .. i .. ']', p, 'string')
  end
  validate('terminal', o.terminal, 'boolean')
  validate('client', o.client, 'table')
  options = o
end

---@return sessionlens.Options
function M.get()
  return options
end

--- Changes one option at run time (what :SessionLensToggle does to `enabled`).
function M.update(key, value)
  options[key] = value
end

--- The server's settings, camelCase as docs/lsp-extensions.md names them. `at_start` adds those
--- read only when the server starts (sent as initializationOptions); the rest may change at any
--- time through workspace/didChangeConfiguration.
---@param at_start boolean
---@return table
function M.server_settings(at_start)
  local o = options
  local s = {
    enable = o.enabled,
    lenses = o.lenses,
    diagnostics = o.diagnostics,
    learningsFile = o.learnings_file,
    notesAfterIdleSeconds = o.notes_after_idle_seconds,
    learningsArchiveAfterDays = o.learnings_archive_after_days,
    exclude = o.exclude,
  }
  if at_start then
    s.dataDir = o.data_dir and vim.fs.normalize(o.data_dir) or nil
    s.codexHome = o.codex_home and vim.fs.normalize(o.codex_home) or nil
    s.watchCodex = o.watch_codex
  end
  return s
end

return M
