-- Session Lens for Neovim: attaches `sessionlens serve` (the language server that remembers what
-- you learned with Codex) to source buffers and adds the few commands an LSP client cannot
-- express by itself. Hover (`K`), code lenses and hints are plain LSP and come from the server;
-- this module only starts it, keeps lenses fresh and turns command results into buffers.
--
--   require("sessionlens").setup({ ... })   -- optional; options in lua/sessionlens/config.lua

local config = require('sessionlens.config')
local client = require('sessionlens.client')

local M = {}

local did_setup = false

---@param msg string
---@param level? integer
local function say(msg, level)
  vim.notify('Session Lens: ' .. msg, level or vim.log.levels.INFO)
end

--- Whether setup() has run (plugin/sessionlens.lua runs it with the defaults otherwise).
function M.did_setup()
  return did_setup
end

--- Starts (or reuses) the server for `bufnr` (default: the current buffer) and attaches it.
--- Returns the client id, or nil when the buffer is not a file or the server cannot be started.
---@param bufnr? integer
---@return integer?
function M.attach(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local exe = config.get().cmd[1]
  if vim.fn.executable(exe) ~= 1 then
    local msg = 'Session Lens: `%s` is not executable; set `cmd` in setup() (:checkhealth sessionlens)'
    vim.notify_once(msg:format(exe), vim.log.levels.WARN)
    return nil
  end
  return client.start(bufnr)
end

local function create_autocmds()
  local group = vim.api.nvim_create_augroup('sessionlens', { clear = true })
  local o = config.get()
  if o.autostart and #o.filetypes > 0 then
    vim.api.nvim_create_autocmd('FileType', {
      group = group,
      pattern = o.filetypes,
      desc = 'Session Lens: attach the language server',
      callback = function(ev)
        M.attach(ev.buf)
      end,
    })
  end
  -- Lenses: Neovim asks for them only when told to. The server's own refresh requests are
  -- handled in client.lua; these cover what it cannot know about (a buffer shown again).
  vim.api.nvim_create_autocmd('LspAttach', {
    group = group,
    desc = 'Session Lens: first lenses',
    callback = function(ev)
      local c = vim.lsp.get_client_by_id(ev.data.client_id)
      if c and c.name == client.name then
        client.refresh_lenses(ev.buf)
      end
    end,
  })
  vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost' }, {
    group = group,
    desc = 'Session Lens: refresh lenses',
    callback = function(ev)
      client.refresh_lenses(ev.buf)
    end,
  })
  if o.terminal then
    local terminal = require('sessionlens.terminal')
    vim.api.nvim_create_autocmd('TermOpen', {
      group = group,
      desc = 'Session Lens: note the terminal command',
      callback = function(ev)
        terminal.on_open(ev.buf)
      end,
    })
    vim.api.nvim_create_autocmd('TermClose', {
      group = group,
      desc = 'Session Lens: record the terminal command',
      callback = function(ev)
        terminal.on_close(ev.buf, vim.v.event and vim.v.event.status)
      end,
    })
    vim.api.nvim_create_autocmd('BufWipeout', {
      group = group,
      desc = 'Session Lens: forget a closed terminal',
      callback = function(ev)
        terminal.forget(ev.buf)
      end,
    })
  end
end

--- Configures the plugin (every option is optional; see `:help sessionlens-options`) and
--- attaches the server to the source buffers already open. Calling it again applies the new
--- options: the run-time settings go to running servers at once (dataDir, codexHome and
--- watchCodex when the server next starts).
---@param opts? table
function M.setup(opts)
  local again = did_setup
  config.set(opts)
  did_setup = true
  create_autocmds()
  if vim.g.loaded_sessionlens == nil then
    -- Put on 'runtimepath' after startup (lazy.nvim's `{ "owner/repo" }` form with an `rtp`
    -- append): plugin/ was never sourced, and its commands are needed all the same.
    vim.cmd.runtime('plugin/sessionlens.lua')
  end
  if again then
    client.push_settings()
  end
  local o = config.get()
  if o.autostart then
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(b) and vim.tbl_contains(o.filetypes, vim.bo[b].filetype) then
        M.attach(b)
      end
    end
  end
end

--- The client for the current buffer, or says why there is none.
---@return vim.lsp.Client?, integer
local function need_client()
  local bufnr = vim.api.nvim_get_current_buf()
  local path = vim.api.nvim_buf_get_name(bufnr)
  local c = client.pick(bufnr, path ~= '' and path or vim.fn.getcwd())
  if not c then
    say('the language server is not running: open a source file (:checkhealth sessionlens)', vim.log.levels.WARN)
  end
  return c, bufnr
end

--- A JSON object, `{}` included (an empty Lua table would go out as `[]`).
local function object(t)
  return next(t) == nil and vim.empty_dict() or t
end

--- The command's arguments about a session: the session (id or prefix) if given, and the
--- current file so that the server picks its workspace.
local function session_args(session, bufnr)
  local args = {}
  if session and session ~= '' then
    args.session = session
  end
  if vim.bo[bufnr].buftype == '' and vim.api.nvim_buf_get_name(bufnr) ~= '' then
    args.uri = vim.uri_from_bufnr(bufnr)
  end
  return { object(args) }
end

--- Reloads any buffer showing `file` (the learnings file the server just wrote).
local function checktime(file)
  local want = vim.fs.normalize(file)
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(b) and vim.fs.normalize(vim.api.nvim_buf_get_name(b)) == want then
      vim.cmd.checktime(b)
    end
  end
end

--- :SessionLensSummary — summarizes a session (default: the latest of this workspace) into the
--- learnings file and shows the entry in a markdown scratch buffer.
---@param session? string id or unique prefix
---@param mods? table command modifiers (`:vertical`, `:tab`)
function M.summary(session, mods)
  local c, bufnr = need_client()
  if not c then
    return
  end
  client.exec(c, 'sessionlens.summarizeSession', session_args(session, bufnr), function(r)
    local id = tostring(r.session or '')
    require('sessionlens.ui').scratch('sessionlens://summary/' .. id, r.markdown or '', 'markdown', mods)
    if type(r.file) == 'string' then
      checktime(r.file)
      if r.changed then
        say(('session %s written to %s'):format(id:sub(1, 8), vim.fn.fnamemodify(r.file, ':~:.')))
      end
    end
  end, bufnr)
end

--- :SessionLensTimeline — a session's events in order, in a scratch buffer.
---@param session? string
---@param mods? table
function M.timeline(session, mods)
  local c, bufnr = need_client()
  if not c then
    return
  end
  client.exec(c, 'sessionlens.showTimeline', session_args(session, bufnr), function(r)
    require('sessionlens.ui').scratch(
      'sessionlens://timeline/' .. tostring(r.session or ''),
      r.text or '',
      'text',
      mods
    )
  end, bufnr)
end

--- Marks an insight resolved (or open again).
---@param id string
---@param resolved boolean
function M.mark(id, resolved)
  local c, bufnr = need_client()
  if not c then
    return
  end
  local command = resolved and 'sessionlens.resolveInsight' or 'sessionlens.reopenInsight'
  client.exec(c, command, { id }, function(r)
    local insight = r.insight or id
    if resolved then
      say(('resolved %s (undo: :SessionLensReopen %s)'):format(insight, insight))
    else
      say(('%s is open again'):format(insight))
    end
  end, bufnr)
end

--- The insight a sessionlens diagnostic is about.
---@param d vim.Diagnostic
---@return string?
local function insight_of(d)
  local lsp = d.source == 'sessionlens' and d.user_data and d.user_data.lsp
  local data = lsp and lsp.data
  return type(data) == 'table' and type(data.insight) == 'string' and data.insight or nil
end

--- :SessionLensResolve — resolves insight `id`; without one, the open question of the hint
--- under the cursor (or on its line), else one chosen among the hints of the buffer.
---@param id? string
function M.resolve(id)
  if id and id ~= '' then
    return M.mark(id, true)
  end
  local bufnr = vim.api.nvim_get_current_buf()
  local row, col = unpack(vim.api.nvim_win_get_cursor(0))
  row = row - 1
  local hints, under, on_line = {}, nil, nil
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local insight = insight_of(d)
    if insight then
      table.insert(hints, { insight = insight, diagnostic = d })
      local last = d.end_lnum or d.lnum
      if row >= d.lnum and row <= last then
        on_line = on_line or insight
        local from = row == d.lnum and d.col or 0
        local to = row == last and (d.end_col or d.col) or math.huge
        if col >= from and col <= to then
          under = under or insight
        end
      end
    end
  end
  local chosen = under or on_line
  if chosen then
    return M.mark(chosen, true)
  end
  if #hints == 0 then
    say('no open question in this buffer; name one: :SessionLensResolve {id}', vim.log.levels.WARN)
    return
  end
  local seen, items = {}, {}
  for _, h in ipairs(hints) do
    if not seen[h.insight] then
      seen[h.insight] = true
      table.insert(items, h)
    end
  end
  vim.ui.select(items, {
    prompt = 'Resolve which open question?',
    kind = 'sessionlens.insight',
    format_item = function(h)
      return ('%d: %s'):format(h.diagnostic.lnum + 1, h.diagnostic.message)
    end,
  }, function(h)
    if h then
      M.mark(h.insight, true)
    end
  end)
end

--- :SessionLensToggle — the master switch, on every running server. `state` nil flips it.
---@param state? boolean
function M.toggle(state)
  if state == nil then
    state = not config.get().enabled
  end
  config.update('enabled', state)
  local clients = client.clients()
  for _, c in ipairs(clients) do
    c.settings = vim.tbl_deep_extend('force', c.settings or {}, { sessionlens = { enable = state } })
    client.exec(c, 'sessionlens.toggle', { state })
  end
  say(state and 'on' or 'off (hover, lenses and hints hidden; still recording)')
end

--- :SessionLensIngest — reads new Codex sessions into the store now (the server also follows
--- them as they are written).
function M.ingest()
  local c, bufnr = need_client()
  if not c then
    return
  end
  client.exec(c, 'sessionlens.ingestNow', {}, function(r)
    local errors = type(r.errors) == 'table' and #r.errors or 0
    say(
      ('%d new events from %d files%s'):format(
        r.events_added or 0,
        r.files or 0,
        errors > 0 and (', %d files could not be read'):format(errors) or ''
      ),
      errors > 0 and vim.log.levels.WARN or vim.log.levels.INFO
    )
  end, bufnr)
end

return M
