-- The Neovim plugin (editors/neovim) in a real editor: headless Neovim starts with the plugin on
-- its runtimepath; a first file attaches without setup() (the defaults, `sessionlens` found on
-- PATH); then the spec calls `require("sessionlens").setup({ cmd = { BIN, "serve" } })` and
-- nothing else, and does what a user does — opens files, presses K, runs a lens, toggles,
-- resolves a hint, summarizes, runs :checkhealth and :terminal commands — checking what Neovim
-- shows through its own APIs. tests/it/neovim.rs prepares the store (react-first-app,
-- ingested) and runs it (through tests/it/common/nvim.rs) as
--   nvim --clean --headless --cmd "set rtp^=<repo>/editors/neovim" -l plugin_spec.lua
-- and then checks from outside that the terminal command reached the store.
--
-- Environment: SESSIONLENS_BIN (the server binary, which need not be on PATH), SESSIONLENS_WS
-- (the fixture workspace, nvim's cwd), SESSIONLENS_RESULT (where the JSON result goes),
-- SESSIONLENS_PLUGIN (editors/neovim, for the help file).
-- Exit code: 0 every check passed, 1 some check failed (named in the result's `failures`),
-- 2 the spec itself raised an error, 3 the spec's own time limit ran out.

local BIN = os.getenv('SESSIONLENS_BIN')
local WS = os.getenv('SESSIONLENS_WS')
local OUT = os.getenv('SESSIONLENS_RESULT')
local PLUGIN = os.getenv('SESSIONLENS_PLUGIN')
local WAIT = 15000 -- ms, for any one thing the server or the plugin should do
local LIMIT = 80000 -- ms, the whole spec (the Rust side kills nvim at 90 s)

local started = vim.uv.hrtime()
local function ms()
  return math.floor((vim.uv.hrtime() - started) / 1e6)
end

local results = { checks = {}, failures = {}, durations_ms = {}, slow = {}, messages = {}, deprecated = {} }

--- Records one check; `detail` is whatever helps when it fails (kept on success too).
local function check(name, ok, detail)
  ok = ok and true or false
  results.checks[name] = { ok = ok, detail = detail }
  if not ok then
    table.insert(results.failures, name)
  end
  return ok
end

--- Runs `f`, recording how long it took; a step over 2 s is listed in `slow`.
local function timed(name, f)
  local t = ms()
  local a, b = f()
  local took = ms() - t
  results.durations_ms[name] = took
  if took > 2000 then
    table.insert(results.slow, name)
  end
  return a, b
end

local finished = false
local function finish(code)
  if finished then
    return
  end
  finished = true
  results.nvim = tostring(vim.version())
  results.elapsed_ms = ms()
  results.exit = code
  local ok, json = pcall(vim.json.encode, results)
  if not ok then
    json = vim.json.encode({ failures = results.failures, error = 'encoding results: ' .. json })
  end
  local f = OUT and io.open(OUT, 'w')
  if f then
    f:write(json, '\n')
    f:close()
  end
  io.stderr:write(
    'sessionlens-neovim-plugin: '
      .. (code == 0 and 'PASS' or ('FAIL (exit ' .. code .. ') ' .. table.concat(results.failures, ',')))
      .. '\n'
  )
  io.stderr:flush()
  os.exit(code)
end

-- Everything the user would see as a message is kept; errors among them fail the run.
local notify = vim.notify
vim.notify = function(msg, level, opts)
  table.insert(results.messages, { level = level or vim.log.levels.INFO, msg = tostring(msg) })
  return notify(msg, level, opts)
end
local function messages_with(text)
  for _, m in ipairs(results.messages) do
    if m.msg:find(text, 1, true) then
      return m.msg
    end
  end
end
-- Deprecated Neovim APIs the plugin calls (0.11 still has them; a later Neovim will not).
local deprecate = vim.deprecate
vim.deprecate = function(name, ...)
  if debug.traceback():find('editors/neovim/', 1, true) then
    table.insert(results.deprecated, name)
  end
  return deprecate(name, ...)
end

local function wait(pred, timeout)
  return vim.wait(timeout or WAIT, pred, 20)
end

--- Text of a hover result, whatever shape its contents take.
local function hover_text(result)
  if type(result) ~= 'table' or result.contents == nil then
    return nil
  end
  local c = result.contents
  if type(c) == 'string' then
    return c
  end
  if c.value then
    return c.value
  end
  local parts = {}
  for _, p in ipairs(c) do
    table.insert(parts, type(p) == 'string' and p or p.value or '')
  end
  return table.concat(parts, '\n')
end

--- Puts the cursor on `word` in the first line containing `line_has` (plus `plus` bytes) and
--- returns that 0-based line.
local function cursor_on(bufnr, line_has, word, plus)
  for i, l in ipairs(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)) do
    if l:find(line_has, 1, true) then
      local s = assert(l:find(word, 1, true), word .. ' not on ' .. l)
      vim.api.nvim_win_set_buf(0, bufnr)
      vim.api.nvim_win_set_cursor(0, { i, s - 1 + (plus or 0) })
      return i - 1
    end
  end
  error(line_has .. ' not in ' .. vim.api.nvim_buf_get_name(bufnr))
end

--- The text of every floating window, and closes them.
local function floats(close)
  local out = {}
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_is_valid(w) and vim.api.nvim_win_get_config(w).relative ~= '' then
      table.insert(out, table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(w), 0, -1, false), '\n'))
      if close then
        vim.api.nvim_win_close(w, true)
      end
    end
  end
  return out
end

local function float_with(text)
  for _, t in ipairs(floats(false)) do
    if t:find(text, 1, true) then
      return t
    end
  end
end

local function sessionlens_client(bufnr)
  return vim.lsp.get_clients({ bufnr = bufnr, name = 'sessionlens' })[1]
end

local function open(rel)
  vim.cmd('silent edit ' .. vim.fn.fnameescape(WS .. '/' .. rel))
  return vim.api.nvim_get_current_buf()
end

--- The lenses Neovim holds for a buffer, with the virtual text it drew for each line.
local function lenses(bufnr)
  local shown = {}
  for _, m in ipairs(vim.api.nvim_buf_get_extmarks(bufnr, -1, 0, -1, { details = true })) do
    local vt = m[4].virt_text
    if vt then
      local text = {}
      for _, chunk in ipairs(vt) do
        table.insert(text, chunk[1])
      end
      shown[m[2]] = (shown[m[2]] or '') .. table.concat(text)
    end
  end
  local out = {}
  for _, l in ipairs(vim.lsp.codelens.get(bufnr)) do
    table.insert(out, {
      line = l.range.start.line,
      title = l.command and l.command.title,
      shown = shown[l.range.start.line],
    })
  end
  return out
end

--- The struggle lens on `line`, drawn as virtual text.
local function struggle_lens(bufnr, line)
  for _, l in ipairs(lenses(bufnr)) do
    if
      l.line == line
      and l.title
      and vim.startswith(l.title, '⟲ You struggled here before')
      and l.shown
      and l.shown:find('You struggled', 1, true)
    then
      return l
    end
  end
end

--- Sessionlens diagnostics of a buffer, with the text under each.
local function hints(bufnr)
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local line = vim.api.nvim_buf_get_lines(bufnr, d.lnum, d.lnum + 1, false)[1] or ''
    local lsp = d.user_data and d.user_data.lsp or {}
    table.insert(out, {
      lnum = d.lnum,
      col = d.col,
      severity = d.severity,
      source = d.source,
      text = line:sub(d.col + 1, d.end_col or d.col),
      insight = type(lsp.data) == 'table' and lsp.data.insight or nil,
    })
  end
  return out
end

local function buffer_named(prefix)
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_valid(b) and vim.startswith(vim.api.nvim_buf_get_name(b), prefix) then
      return b
    end
  end
end

local function buf_text(b)
  return table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), '\n')
end

--- The sessions the CLI lists (the spec runs with the test's store in its environment).
local function sessions()
  local r = vim.system({ BIN, 'sessions', '--json' }, { text = true }):wait(10000)
  local ok, list = pcall(vim.json.decode, r.stdout or '')
  return ok and type(list) == 'table' and list or {}, r
end

local function terminal_session()
  for _, s in ipairs((sessions())) do
    if s.source == 'terminal' then
      return s
    end
  end
end

local function run()
  assert(BIN and WS and OUT and PLUGIN, 'SESSIONLENS_BIN, _WS, _RESULT and _PLUGIN must be set')

  -- The plugin was loaded from the runtimepath as a plugin manager would load it.
  local cmds = vim.api.nvim_get_commands({})
  local wanted = {
    'SessionLensSummary',
    'SessionLensTimeline',
    'SessionLensResolve',
    'SessionLensReopen',
    'SessionLensToggle',
    'SessionLensIngest',
  }
  local missing = vim.tbl_filter(function(c)
    return cmds[c] == nil
  end, wanted)
  local lazy = package.loaded['sessionlens'] == nil and package.loaded['sessionlens.client'] == nil
  check('plugin_loaded', vim.g.loaded_sessionlens == 1 and #missing == 0 and lazy, {
    loaded = vim.g.loaded_sessionlens,
    missing_commands = missing,
    modules_loaded_at_startup = not lazy,
  })

  -- Without setup(): the first filetype runs it with the defaults. `sessionlens` is not on PATH
  -- (the Rust side made sure): one warning, no error. Once it is, source files attach.
  local first = open('src/types.ts')
  local warned = wait(function()
    return messages_with('`sessionlens` is not executable') ~= nil
  end, 5000)
  local path = vim.env.PATH
  local bindir = vim.fn.tempname()
  vim.fn.mkdir(bindir, 'p')
  vim.uv.fs_symlink(BIN, bindir .. '/sessionlens')
  vim.env.PATH = bindir .. ':' .. path
  local second = open('src/api.ts')
  local default_client
  local default_attached = wait(function()
    default_client = sessionlens_client(second)
    return default_client ~= nil and default_client.initialized
  end)
  check('without_setup', warned and default_attached and default_client.config.cmd[1] == 'sessionlens', {
    warned = warned,
    attached = default_attached,
    cmd = default_client and default_client.config.cmd,
    did_setup = require('sessionlens').did_setup(),
  })
  if default_client then
    default_client:stop()
    wait(function()
      return vim.lsp.get_client_by_id(default_client.id) == nil
    end, 10000)
  end
  vim.cmd('silent bwipeout! ' .. first .. ' ' .. second)
  vim.env.PATH = path

  -- setup() alone: nothing but where the binary is.
  local set, set_err = pcall(require('sessionlens').setup, { cmd = { BIN, 'serve' } })
  check('setup', set, set_err)

  -- (a) Opening a TypeScript file attaches the server, rooted at the workspace.
  local hook = open('src/useTodos.ts')
  local client
  local attached = timed('attach', function()
    return wait(function()
      client = sessionlens_client(hook)
      return client ~= nil and client.initialized
    end)
  end)
  local roots = client and require('sessionlens.client').roots(client) or {}
  check('attach', attached and roots[1] == vim.fs.normalize(WS), {
    filetype = vim.bo[hook].filetype,
    roots = roots,
    init_options = client and client.config.init_options,
  })
  if not attached then
    return
  end

  -- (b) Hover through K, Neovim's default mapping: a float with the question as it was asked.
  cursor_on(hook, 'useEffect(() =>', 'useEffect', 3)
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  local resp = vim.lsp.buf_request_sync(hook, 'textDocument/hover', params, WAIT)
  local md = resp and resp[client.id] and hover_text(resp[client.id].result)
  vim.cmd('normal K')
  local k_float = timed('hover_K', function()
    local found
    wait(function()
      found = float_with('what is useEffect actually doing')
      return found ~= nil
    end)
    return found
  end)
  floats(true)
  check(
    'hover',
    md ~= nil and md:find('what is useEffect actually doing', 1, true) ~= nil and k_float ~= nil,
    { markdown = md, k_float = k_float }
  )

  -- (c) Lenses appear on their own (the plugin refreshes on attach; no refresh by the spec).
  local hook_line = cursor_on(hook, 'export function useTodos', 'useTodos')
  local lens = timed('codelens', function()
    local found
    wait(function()
      found = struggle_lens(hook, hook_line)
      return found ~= nil
    end)
    return found
  end)
  check('codelens', lens ~= nil, { expected_line = hook_line, lenses = lenses(hook) })

  -- (d) :SessionLensToggle hides them, and again brings them back.
  vim.cmd('SessionLensToggle')
  local gone = timed('toggle_off', function()
    return wait(function()
      return #vim.lsp.codelens.get(hook) == 0 and struggle_lens(hook, hook_line) == nil
    end)
  end)
  local off_settings = vim.deepcopy(client.settings)
  vim.cmd('SessionLensToggle')
  local back = timed('toggle_on', function()
    return wait(function()
      return struggle_lens(hook, hook_line) ~= nil
    end)
  end)
  check('toggle_lenses', gone and back, {
    off = gone,
    back = back,
    settings_when_off = off_settings,
    lenses = lenses(hook),
  })

  -- (e) Running the lens (vim.lsp.codelens.run on its line) shows the details in a float.
  cursor_on(hook, 'export function useTodos', 'useTodos')
  vim.lsp.codelens.run()
  local details = timed('codelens_run', function()
    local found
    wait(function()
      found = float_with('what is useEffect')
      return found ~= nil
    end)
    return found
  end)
  local shown = floats(true)
  -- The lens Neovim cleared while running it is drawn again.
  local redrawn = wait(function()
    return struggle_lens(hook, hook_line) ~= nil
  end)
  check('codelens_run', details ~= nil and redrawn, { floats = shown, redrawn = redrawn })

  -- (f) Hints on src/Header.tsx (the same server, attached on open): Hint, from sessionlens.
  local header = open('src/Header.tsx')
  local got = timed('diagnostics', function()
    return wait(function()
      return #vim.diagnostic.get(header) > 0
    end)
  end)
  local before = hints(header)
  local target
  local all_hints = got
  for _, h in ipairs(before) do
    if h.source ~= 'sessionlens' or h.severity ~= vim.diagnostic.severity.HINT or not h.insight then
      all_hints = false
    end
    if h.text == 'useTodosContext' then
      target = target or h
    end
  end
  check('diagnostics_header', all_hints and target ~= nil and sessionlens_client(header) == client, {
    filetype = vim.bo[header].filetype,
    diagnostics = before,
  })

  -- (g) :SessionLensResolve away from any hint offers the buffer's open questions (cancelled
  -- here); with the cursor on a hint it resolves that one, and its hints go; :SessionLensReopen
  -- brings them back.
  if target then
    local hinted = {}
    for _, h in ipairs(before) do
      hinted[h.lnum] = true
    end
    local free = 0
    while hinted[free] do
      free = free + 1
    end
    vim.api.nvim_win_set_cursor(0, { free + 1, 0 })
    local select, offered = vim.ui.select, nil
    vim.ui.select = function(items, opts, on_choice)
      offered = {}
      for _, item in ipairs(items) do
        table.insert(offered, { insight = item.insight, shown = opts.format_item(item) })
      end
      on_choice(nil)
    end
    vim.cmd('SessionLensResolve')
    vim.ui.select = select
    check(
      'resolve_select',
      offered ~= nil and #offered == 1 and offered[1].insight == target.insight and #hints(header) == #before,
      { cursor_line = free, offered = offered or vim.NIL }
    )

    vim.api.nvim_win_set_cursor(0, { target.lnum + 1, target.col + 1 })
    vim.cmd('SessionLensResolve')
    local cleared = timed('resolve', function()
      return wait(function()
        for _, h in ipairs(hints(header)) do
          if h.insight == target.insight then
            return false
          end
        end
        -- The server publishes the new hints before it answers the command.
        return messages_with('resolved ' .. target.insight) ~= nil
      end)
    end)
    check('resolve', cleared, {
      insight = target.insight,
      after = hints(header),
    })

    vim.cmd('SessionLensReopen ' .. target.insight)
    local back = wait(function()
      return #hints(header) == #before and messages_with(target.insight .. ' is open again') ~= nil
    end)
    check('reopen', back, { after = hints(header) })
  end

  -- (h) :SessionLensSummary: the entry in a markdown scratch buffer in a split, and an open
  -- buffer of learnings.md reloaded.
  local learnings = WS .. '/learnings.md'
  vim.fn.writefile({ '# Learnings', '' }, learnings)
  local lbuf = vim.fn.bufadd(learnings)
  vim.fn.bufload(lbuf)
  local wins = #vim.api.nvim_tabpage_list_wins(0)
  vim.cmd('SessionLensSummary')
  local sbuf = timed('summary', function()
    local b
    wait(function()
      b = buffer_named('sessionlens://summary/')
      return b ~= nil and #vim.fn.win_findbuf(b) > 0
    end)
    return b
  end)
  local stext = sbuf and buf_text(sbuf) or ''
  local reloaded = wait(function()
    return buf_text(lbuf):find('| Turn | Action | Gap | Outcome |', 1, true) ~= nil
  end, 5000)
  check(
    'summary',
    sbuf ~= nil
      and vim.bo[sbuf].filetype == 'markdown'
      and vim.bo[sbuf].buftype == 'nofile'
      and stext:find('| Turn | Action | Gap | Outcome |', 1, true) ~= nil
      and #vim.api.nvim_tabpage_list_wins(0) == wins + 1,
    {
      name = sbuf and vim.api.nvim_buf_get_name(sbuf),
      text = stext:sub(1, 400),
      windows = { wins, #vim.api.nvim_tabpage_list_wins(0) },
    }
  )
  check('summary_reloads_learnings', reloaded, { learnings_buffer = buf_text(lbuf):sub(1, 300) })
  if sbuf then
    vim.api.nvim_set_current_win(vim.fn.win_findbuf(sbuf)[1])
    vim.cmd('close')
  end

  -- (i) :SessionLensTimeline and :SessionLensIngest answer too.
  vim.api.nvim_win_set_buf(0, hook)
  vim.cmd('SessionLensTimeline')
  local tbuf
  wait(function()
    tbuf = buffer_named('sessionlens://timeline/')
    return tbuf ~= nil
  end)
  check('timeline', tbuf ~= nil and #buf_text(tbuf) > 0, { text = tbuf and buf_text(tbuf):sub(1, 300) })
  if tbuf and vim.fn.win_findbuf(tbuf)[1] then
    vim.api.nvim_set_current_win(vim.fn.win_findbuf(tbuf)[1])
    vim.cmd('close')
  end
  vim.cmd('SessionLensIngest')
  check(
    'ingest',
    wait(function()
      return messages_with('new events from') ~= nil
    end),
    { message = messages_with('new events from') }
  )

  -- (j) :checkhealth sessionlens from the TypeScript buffer.
  vim.api.nvim_win_set_buf(0, hook)
  vim.cmd('checkhealth sessionlens')
  local hbuf = buffer_named('health://')
  local htext = hbuf and buf_text(hbuf) or ''
  check(
    'checkhealth',
    htext:find('OK ' .. BIN .. ': sessionlens ', 1, true) ~= nil
      and htext:find('OK attached to', 1, true) ~= nil
      and htext:find('ERROR', 1, true) == nil
      and htext:find('Failed to run healthcheck', 1, true) == nil,
    vim.split(htext, '\n')
  )
  if hbuf then
    vim.cmd('tabclose')
  end

  -- (k) A :terminal command that fails is recorded; an interactive shell's exit is not. The
  -- terminal runs in a split below the TypeScript buffer, whose lenses are cleared first: they
  -- come back only if the server's workspace/codeLens/refresh (sent when it has recorded the
  -- command) reaches the plugin's handler.
  vim.api.nvim_win_set_buf(0, hook)
  local has_handler = client.handlers['workspace/codeLens/refresh'] ~= nil
    or vim.lsp.handlers['workspace/codeLens/refresh'] ~= nil
  vim.cmd('split')
  -- Entering the buffer asked for lenses; let that answer land before clearing them.
  wait(function()
    for _, r in pairs(client.requests) do
      if r.type == 'pending' and r.method == 'textDocument/codeLens' then
        return false
      end
    end
    return true
  end)
  vim.lsp.codelens.clear(client.id, hook)
  local cleared = #vim.lsp.codelens.get(hook) == 0
  local closed = 0
  vim.api.nvim_create_autocmd('TermClose', {
    callback = function()
      closed = closed + 1
    end,
  })
  vim.cmd('terminal sh -c "exit 3"')
  local ended = wait(function()
    return closed >= 1
  end)
  local term = timed('terminal', function()
    local s
    wait(function()
      s = terminal_session()
      return s ~= nil and s.failed_commands == 1
    end)
    return s
  end)
  check('terminal', ended and term ~= nil and term.failed_commands == 1, { closed = closed, session = term })
  local pushed = timed('codelens_pushed', function()
    return wait(function()
      return struggle_lens(hook, hook_line) ~= nil
    end)
  end)
  check('codelens_server_refresh', has_handler and cleared and pushed, {
    handler = has_handler,
    refresh_support = vim.tbl_get(client.capabilities, 'workspace', 'codeLens', 'refreshSupport'),
    cleared = cleared,
    lenses = lenses(hook),
  })
  vim.cmd('enew')
  vim.cmd('terminal')
  local shell_job = vim.b.terminal_job_id
  vim.fn.jobstop(shell_job)
  local shell_closed = wait(function()
    return closed >= 2
  end)
  -- Give a wrongly sent notification the time to land before looking.
  vim.wait(500)
  local after_shell = terminal_session()
  check('terminal_shell_ignored', shell_closed and after_shell ~= nil and after_shell.commands == 1, {
    closed = closed,
    session = after_shell,
  })

  -- (l) lsp/sessionlens.lua: what vim.lsp.enable("sessionlens") would start on 0.11.
  if vim.fn.has('nvim-0.11') == 1 then
    local cfg = vim.lsp.config.sessionlens
    check(
      'lsp_config',
      cfg ~= nil
        and cfg.cmd[1] == BIN
        and vim.tbl_contains(cfg.filetypes, 'typescriptreact')
        and vim.tbl_contains(cfg.root_markers, '.git')
        and cfg.commands['sessionlens.showInsights'] ~= nil
        and cfg.init_options.enable == true,
      cfg and { cmd = cfg.cmd, filetypes = cfg.filetypes, init_options = cfg.init_options } or vim.NIL
    )
  end

  -- (m) The help file has its tags (:helptags on a copy; the plugin folder stays as it is).
  local docs = vim.fn.tempname()
  vim.fn.mkdir(docs .. '/doc', 'p')
  vim.fn.writefile(vim.fn.readfile(PLUGIN .. '/doc/sessionlens.txt'), docs .. '/doc/sessionlens.txt')
  vim.v.errmsg = ''
  local tagged, tag_err = pcall(vim.cmd, 'helptags ' .. vim.fn.fnameescape(docs .. '/doc'))
  vim.opt.runtimepath:append(docs)
  local helps = {}
  for _, tag in ipairs({
    'sessionlens',
    'sessionlens-setup',
    'sessionlens-options',
    'sessionlens-commands',
    'sessionlens-health',
    'sessionlens-terminal',
    'sessionlens-troubleshooting',
    ':SessionLensResolve',
  }) do
    helps[tag] = pcall(vim.cmd, 'help ' .. tag)
    vim.cmd('silent! helpclose')
  end
  check('help', tagged and vim.v.errmsg == '' and not vim.tbl_contains(vim.tbl_values(helps), false), {
    error = tag_err,
    errmsg = vim.v.errmsg,
    tags = helps,
  })

  -- Nothing the user would have seen as an error, and no deprecated Neovim API.
  local errors = {}
  for _, m in ipairs(results.messages) do
    if m.level >= vim.log.levels.ERROR then
      table.insert(errors, m.msg)
    end
  end
  check('no_error_messages', #errors == 0, errors)
  check('no_deprecated_api', #results.deprecated == 0, results.deprecated)

  -- Shutdown: the server leaves cleanly.
  local exit
  client:stop()
  timed('shutdown', function()
    return wait(function()
      exit = client:is_stopped() and vim.lsp.get_client_by_id(client.id) == nil
      return exit
    end, 10000)
  end)
  check('shutdown', exit, nil)
end

vim.defer_fn(function()
  results.error = 'the spec ran out of time after ' .. LIMIT .. ' ms'
  finish(3)
end, LIMIT)
local ok, err = xpcall(run, debug.traceback)
if not ok then
  results.error = tostring(err)
  table.insert(results.failures, 'error')
  finish(2)
end
finish(#results.failures == 0 and 0 or 1)
