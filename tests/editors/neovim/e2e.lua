-- The language server in a real editor: headless Neovim (0.11) starts `sessionlens serve` through
-- its own LSP client (`vim.lsp.start`) on the react-first-app fixture and checks what a user of
-- Neovim gets — hover, code lenses, hint diagnostics, executeCommand, an edit saved with :write —
-- through Neovim's APIs, with Neovim's capabilities, position encoding and document sync.
-- tests/it/neovim.rs prepares the store and runs it (through tests/it/common/nvim.rs) as
-- `nvim --clean --headless -l e2e.lua`.
--
-- Environment: SESSIONLENS_BIN (the server binary), SESSIONLENS_WS (the fixture workspace, its
-- sessions already ingested), SESSIONLENS_RESULT (where the JSON result goes).
-- Exit code: 0 every check passed, 1 some check failed (named in the result's `failures`),
-- 2 the script itself raised an error, 3 the script's own time limit ran out.

local BIN = os.getenv('SESSIONLENS_BIN')
local WS = os.getenv('SESSIONLENS_WS')
local OUT = os.getenv('SESSIONLENS_RESULT')
local WAIT = 15000 -- ms, for any one thing the server should do
local LIMIT = 50000 -- ms, the whole script (the Rust side kills nvim at 60 s)

local started = vim.uv.hrtime()
local function ms()
  return math.floor((vim.uv.hrtime() - started) / 1e6)
end

local results = { checks = {}, failures = {}, durations_ms = {}, slow = {}, messages = {} }

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
    'sessionlens-neovim-e2e: '
      .. (code == 0 and 'PASS' or ('FAIL (exit ' .. code .. ') ' .. table.concat(results.failures, ',')))
      .. '\n'
  )
  io.stderr:flush()
  os.exit(code)
end

-- Everything Neovim would show the user as a message (the server's window/showMessage, client
-- warnings such as an unsupported command) is kept, and errors among them fail the run.
local notify = vim.notify
vim.notify = function(msg, level, opts)
  table.insert(results.messages, { level = level or vim.log.levels.INFO, msg = tostring(msg) })
  return notify(msg, level, opts)
end
local function error_messages()
  local out = {}
  for _, m in ipairs(results.messages) do
    if m.level >= vim.log.levels.ERROR then
      table.insert(out, m.msg)
    end
  end
  return out
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

local client ---@type vim.lsp.Client
local server_exit ---@type table?
local published = {} -- uri -> number of publishDiagnostics received

--- The hover at the cursor, asked the way `vim.lsp.buf.hover()` asks (positions in the
--- client's offset encoding). Returns the text (nil when the server had nothing) and the raw
--- response.
local function hover_at_cursor(bufnr)
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  local responses = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, WAIT)
  local r = responses and responses[client.id]
  if not r then
    return nil, { timeout = true, params = params }
  end
  return hover_text(r.result), { err = r.err and tostring(r.err.message or r.err), params = params }
end

--- Starts (or, for later buffers, reuses) the client the way a user's config does.
local function attach(bufnr)
  return vim.lsp.start({
    name = 'sessionlens',
    cmd = { BIN, 'serve' },
    root_dir = WS,
    -- Neovim puts servers in a session of their own by default; keeping this one in nvim's process
    -- group lets the test's hard timeout kill it along with nvim.
    detached = false,
    handlers = {
      ['textDocument/publishDiagnostics'] = function(err, result, ctx)
        if result and result.uri then
          published[result.uri] = (published[result.uri] or 0) + 1
        end
        return vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx)
      end,
    },
    on_exit = function(code, signal)
      server_exit = { code = code, signal = signal }
    end,
  }, { bufnr = bufnr })
end

local function open(rel)
  vim.cmd('silent edit ' .. vim.fn.fnameescape(WS .. '/' .. rel))
  local bufnr = vim.api.nvim_get_current_buf()
  local id = attach(bufnr)
  return bufnr, id
end

--- The lenses Neovim holds for a buffer after a fresh `vim.lsp.codelens.refresh` (what was shown
--- before is cleared first), with the virtual text it drew for each line.
local function lenses(bufnr)
  vim.lsp.codelens.clear(client.id, bufnr)
  vim.lsp.codelens.refresh({ bufnr = bufnr })
  wait(function()
    return #vim.lsp.codelens.get(bufnr) > 0
  end)
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
      character = l.range.start.character,
      title = l.command and l.command.title,
      command = l.command and l.command.command,
      arguments = l.command and l.command.arguments,
      shown = shown[l.range.start.line],
    })
  end
  return out
end

--- Runs a server command through `client:exec_cmd` (what a lens click or a plugin does) and
--- waits for its answer.
local function exec(bufnr, command, arguments)
  local done, err, result = false, nil, nil
  local cmd = { title = command, command = command, arguments = arguments }
  client:exec_cmd(cmd, { bufnr = bufnr }, function(e, r)
    done, err, result = true, e, r
  end)
  wait(function()
    return done
  end)
  return result, (not done) and 'no answer' or (err and tostring(err.message or err)) or nil
end

local function run()
  assert(BIN and WS and OUT, 'SESSIONLENS_BIN, SESSIONLENS_WS and SESSIONLENS_RESULT must be set')

  -- Attach to src/useTodos.ts.
  local hook, id = open('src/useTodos.ts')
  check('start', id ~= nil, { client_id = id, filetype = vim.bo[hook].filetype })
  if not id then
    return
  end
  client = assert(vim.lsp.get_client_by_id(id))
  local attached = timed('attach', function()
    return wait(function()
      return client.initialized and vim.lsp.buf_is_attached(hook, id)
    end)
  end)
  check('attach', attached, {
    initialized = client.initialized,
    server = client.server_info,
    offset_encoding = client.offset_encoding,
    hover_provider = client.server_capabilities and client.server_capabilities.hoverProvider,
  })
  if not attached then
    return
  end
  results.offset_encoding = client.offset_encoding

  -- (a) Hover on useEffect: the question as asked and its takeaway.
  cursor_on(hook, 'useEffect(() =>', 'useEffect', 3)
  local md, raw = timed('hover', function()
    return hover_at_cursor(hook)
  end)
  check(
    'hover_useEffect',
    md ~= nil
      and md:find('what is useEffect actually doing', 1, true) ~= nil
      and md:find('takeaway', 1, true) ~= nil,
    { markdown = md, response = raw }
  )
  -- The same hover through Neovim's own UI: vim.lsp.buf.hover() opens a floating window.
  vim.lsp.buf.hover()
  local float_lines
  timed('hover_float', function()
    return wait(function()
      for _, w in ipairs(vim.api.nvim_list_wins()) do
        if vim.api.nvim_win_get_config(w).relative ~= '' then
          float_lines = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(w), 0, -1, false)
          return true
        end
      end
      return false
    end)
  end)
  local float_text = float_lines and table.concat(float_lines, '\n') or nil
  check(
    'hover_float',
    float_text ~= nil and float_text:find('what is useEffect actually doing', 1, true) ~= nil,
    { lines = float_lines }
  )
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(w).relative ~= '' then
      vim.api.nvim_win_close(w, true)
    end
  end

  -- (b) Hover on a name nothing was learned about: no hover at all.
  cursor_on(hook, 'new AbortController', 'controller', 1)
  local none, raw_none = timed('hover_nothing', function()
    return hover_at_cursor(hook)
  end)
  check(
    'hover_nothing',
    raw_none.err == nil and not raw_none.timeout and (none == nil or vim.trim(none) == ''),
    { markdown = none, response = raw_none }
  )

  -- (c) Code lenses through vim.lsp.codelens: one on `export function useTodos`.
  local hook_line = cursor_on(hook, 'export function useTodos', 'useTodos')
  local ls = timed('codelens', function()
    return lenses(hook)
  end)
  local on_hook
  for _, l in ipairs(ls) do
    if l.line == hook_line and l.title and vim.startswith(l.title, '⟲ You struggled here before') then
      on_hook = l
    end
  end
  -- Neovim drew it as virtual text on that line.
  local drawn = on_hook ~= nil
    and on_hook.shown ~= nil
    and on_hook.shown:find('You struggled', 1, true) ~= nil
  check('codelens', drawn, { expected_line = hook_line, lenses = ls })
  -- The lens's command, run as a click on it would (Neovim shows nothing of the answer itself).
  if on_hook then
    local details, err = timed('codelens_command', function()
      return exec(hook, on_hook.command, on_hook.arguments)
    end)
    local text = details and details.markdown
    check(
      'codelens_command',
      type(text) == 'string' and text:find('what is useEffect', 1, true) ~= nil,
      { error = err, result = details }
    )
  end

  -- (d) Hints on uses of a name with an open question; nothing in a file without any.
  local header = open('src/Header.tsx')
  local got = timed('diagnostics_header', function()
    return wait(function()
      return #vim.diagnostic.get(header) > 0
    end)
  end)
  local diags, on_name, all_hints = {}, false, got
  for _, d in ipairs(vim.diagnostic.get(header)) do
    local line = vim.api.nvim_buf_get_lines(header, d.lnum, d.lnum + 1, false)[1] or ''
    local under = line:sub(d.col + 1, d.end_col or d.col)
    table.insert(diags, {
      lnum = d.lnum,
      col = d.col,
      end_col = d.end_col,
      severity = d.severity,
      source = d.source,
      message = d.message,
      text = under,
    })
    if under == 'useTodosContext' then
      on_name = true
    end
    if d.source ~= 'sessionlens' or d.severity ~= vim.diagnostic.severity.HINT then
      all_hints = false
    end
  end
  check('diagnostics_header', got and on_name and all_hints, {
    filetype = vim.bo[header].filetype,
    diagnostics = diags,
  })
  local types = open('src/types.ts')
  local types_uri = vim.uri_from_bufnr(types)
  local heard = timed('diagnostics_types', function()
    return wait(function()
      return (published[types_uri] or 0) > 0
    end)
  end)
  check('diagnostics_types_none', heard and #vim.diagnostic.get(types) == 0, {
    publications = published[types_uri] or 0,
    diagnostics = #vim.diagnostic.get(types),
  })

  -- (e) Summarize the latest session into learnings.md.
  local summary, err = timed('summarize', function()
    return exec(hook, 'sessionlens.summarizeSession', {})
  end)
  local file = WS .. '/learnings.md'
  local on_disk = vim.uv.fs_stat(file) and table.concat(vim.fn.readfile(file), '\n') or nil
  check(
    'summarize',
    summary
      and type(summary.markdown) == 'string'
      and summary.markdown:find('| Turn | Action | Gap | Outcome |', 1, true) ~= nil
      and on_disk ~= nil
      and on_disk:find('| Turn | Action | Gap | Outcome |', 1, true) ~= nil,
    { error = err, result = summary, learnings_md = on_disk and #on_disk or vim.NIL }
  )

  -- (f) An edit and :write. The edit puts non-ASCII text (🎉 is two UTF-16 units and four bytes)
  -- in front of `useEffect` on its line, so the hover after it lands only if Neovim's incremental
  -- changes, its positions and the server agree on the position encoding (UTF-16 here).
  vim.api.nvim_win_set_buf(0, hook)
  local effect_line = cursor_on(hook, 'useEffect(() =>', 'useEffect')
  local before = vim.api.nvim_buf_get_lines(hook, effect_line, effect_line + 1, false)[1]
  vim.api.nvim_buf_set_lines(hook, effect_line, effect_line, false, { '  // café ⟲ 🎉 — noted' })
  vim.api.nvim_buf_set_lines(
    hook,
    effect_line + 1,
    effect_line + 2,
    false,
    { (before:gsub('useEffect%(', '/* 🎉 é */ useEffect(', 1)) }
  )
  vim.v.errmsg = ''
  local wrote, write_err = timed('write', function()
    return pcall(vim.cmd, 'silent write')
  end)
  local on_file = table.concat(vim.fn.readfile(WS .. '/src/useTodos.ts'), '\n')
  cursor_on(hook, '/* 🎉 é */ useEffect(', 'useEffect', 2)
  local after, raw_after = timed('hover_after_edit', function()
    return hover_at_cursor(hook)
  end)
  local after_lenses = timed('codelens_after_edit', function()
    return lenses(hook)
  end)
  local lens_kept = false
  for _, l in ipairs(after_lenses) do
    if l.line == hook_line and l.title and vim.startswith(l.title, '⟲ You struggled here before') then
      lens_kept = true
    end
  end
  check('edit_and_write', wrote and vim.v.errmsg == '' and on_file:find('café ⟲ 🎉', 1, true) ~= nil, {
    error = not wrote and tostring(write_err) or vim.NIL,
    errmsg = vim.v.errmsg,
    modified = vim.bo[hook].modified,
  })
  check(
    'responsive_after_edit',
    not client:is_stopped()
      and after ~= nil
      and after:find('what is useEffect actually doing', 1, true) ~= nil
      and lens_kept,
    { markdown = after, response = raw_after, lenses = after_lenses }
  )

  -- Nothing the user would have seen as an error along the way.
  local errors = error_messages()
  check('no_error_messages', #errors == 0, errors)

  -- Shutdown: Neovim sends shutdown and exit; the server must leave cleanly.
  client:stop()
  timed('shutdown', function()
    return wait(function()
      return server_exit ~= nil
    end, 10000)
  end)
  check('shutdown', server_exit ~= nil and server_exit.code == 0 and server_exit.signal == 0, server_exit)
end

vim.defer_fn(function()
  results.error = 'the script ran out of time after ' .. LIMIT .. ' ms'
  finish(3)
end, LIMIT)
local ok, err = xpcall(run, debug.traceback)
if not ok then
  results.error = tostring(err)
  table.insert(results.failures, 'error')
  finish(2)
end
finish(#results.failures == 0 and 0 or 1)
