-- `:checkhealth sessionlens`: whatever stands between the user and a working Session Lens — the
-- Neovim version, the server binary (found, and what `--version` says), whether the server is
-- attached to the buffer they came from, and where the store and Codex's sessions are.

local M = {}

local health = vim.health

--- "1 open question", "2 open questions".
local function count(n, noun)
  n = n or 0
  return ('%d %s%s'):format(n, noun, n == 1 and '' or 's')
end

--- The buffer the user ran :checkhealth from (the health buffer is current by now).
local function origin_buffer()
  local alt = vim.fn.bufnr('#')
  if
    alt > 0
    and vim.api.nvim_buf_is_loaded(alt)
    and vim.bo[alt].buftype == ''
    and vim.api.nvim_buf_get_name(alt) ~= ''
  then
    return alt
  end
end

local function check_neovim()
  local v = vim.version()
  local text = ('Neovim %d.%d.%d'):format(v.major, v.minor, v.patch)
  if vim.fn.has('nvim-0.10') == 1 then
    health.ok(text)
  else
    health.error(text .. ': Session Lens needs 0.10 or newer')
  end
end

local function check_binary(o)
  local exe = o.cmd[1]
  local path = vim.fn.exepath(exe)
  if path == '' then
    health.error(('`%s` not found or not executable'):format(exe), {
      'Install it: cargo install --path . (in the Session Lens repository), or put it on PATH',
      'Or point the plugin at it: require("sessionlens").setup({ cmd = { "/path/to/sessionlens", "serve" } })',
    })
    return
  end
  local ok, res = pcall(function()
    return vim.system({ path, '--version' }, { text = true }):wait(5000)
  end)
  if not ok then
    health.error(('%s --version could not run: %s'):format(path, res))
  elseif res.code ~= 0 then
    health.error(('%s --version exited with %s: %s'):format(path, res.code, vim.trim(res.stderr or '')))
  else
    health.ok(('%s: %s'):format(path, vim.trim(res.stdout)))
  end
end

local function check_setup(o)
  if require('sessionlens').did_setup() then
    health.ok('setup() has run')
  else
    health.info('setup() has not run yet: it runs with the defaults when a buffer gets a filetype')
  end
  local starts = not o.autostart and 'no automatic start (autostart = false)'
    or #o.filetypes == 0 and 'no automatic start (filetypes = {})'
    or ('starts for %s'):format(table.concat(o.filetypes, ', '))
  health.info(('command: %s; %s'):format(table.concat(o.cmd, ' '), starts))
  if not o.enabled then
    health.warn('switched off (:SessionLensToggle turns it back on)')
  end
end

local function check_clients(o)
  local client = require('sessionlens.client')
  local clients = client.clients()
  local bufnr = origin_buffer()
  if bufnr then
    local name = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':~:.')
    if #client.clients(bufnr) > 0 then
      health.ok(('attached to %s'):format(name))
    elseif vim.tbl_contains(o.filetypes, vim.bo[bufnr].filetype) then
      health.warn(('not attached to %s (filetype %s)'):format(name, vim.bo[bufnr].filetype), {
        'See the server log: :lua vim.cmd.edit(vim.lsp.get_log_path())',
      })
    else
      health.info(('not attached to %s: filetype "%s" is not in `filetypes`'):format(name, vim.bo[bufnr].filetype))
    end
  end
  if #clients == 0 then
    health.info('no server running (it starts when a source file is opened)')
  end
  for _, c in ipairs(clients) do
    local bufs = {}
    for b in pairs(c.attached_buffers) do
      table.insert(bufs, vim.fn.fnamemodify(vim.api.nvim_buf_get_name(b), ':~:.'))
    end
    table.sort(bufs)
    health.info(
      ('client %d: %s, %s; buffers %s'):format(
        c.id,
        c.server_info and c.server_info.version and ('sessionlens ' .. c.server_info.version) or 'starting',
        table.concat(client.roots(c), ', ') ~= '' and table.concat(client.roots(c), ', ') or 'no workspace folder',
        #bufs > 0 and table.concat(bufs, ', ') or 'none'
      )
    )
  end
  return clients
end

--- The data dir as the server resolves it (server/config.rs), when no server can say.
local function default_data_dir(o)
  if o.data_dir then
    return vim.fs.normalize(o.data_dir)
  end
  local env = vim.env.SESSIONLENS_DATA_DIR
  if env and env ~= '' then
    return env
  end
  if vim.fn.has('mac') == 1 then
    return vim.fs.normalize('~/Library/Application Support/sessionlens')
  end
  local xdg = vim.env.XDG_DATA_HOME
  return (xdg and xdg ~= '' and xdg or vim.fs.normalize('~/.local/share')) .. '/sessionlens'
end

local function check_data(o, clients)
  local status, err
  if clients[1] and clients[1].initialized then
    status, err = require('sessionlens.client').exec_sync(clients[1], 'sessionlens.status', {}, 3000)
  end
  if type(status) == 'table' and type(status.store) == 'string' then
    health.ok(
      ('store %s: %s, %s, %s'):format(
        status.store,
        count(status.events, 'event'),
        count(status.insights, 'insight'),
        count(status.openGaps, 'open question')
      )
    )
    local ws = type(status.workspace) == 'table' and status.workspace or nil
    if ws then
      health.info(
        ('workspace %s: %s, %s, %s here'):format(
          ws.root,
          ws.indexed and 'indexed' or 'indexing',
          count(ws.files, 'file'),
          count(ws.openGaps, 'open question')
        )
      )
    end
  else
    if err then
      health.warn('the server did not report its status: ' .. tostring(err))
    end
    local dir = default_data_dir(o)
    if vim.uv.fs_stat(dir) then
      health.ok('data dir ' .. dir)
    else
      health.info('data dir ' .. dir .. ' (not created yet: the first ingest or server start creates it)')
    end
  end
  local home = o.codex_home and vim.fs.normalize(o.codex_home)
    or (vim.env.CODEX_HOME and vim.env.CODEX_HOME ~= '' and vim.env.CODEX_HOME)
    or vim.fs.normalize('~/.codex')
  if vim.uv.fs_stat(home .. '/sessions') then
    health.ok('Codex sessions in ' .. home .. '/sessions')
  else
    health.warn('no Codex sessions in ' .. home .. '/sessions yet', {
      'Set codex_home in setup() (or $CODEX_HOME) if Codex keeps them elsewhere',
    })
  end
end

function M.check()
  local o = require('sessionlens.config').get()
  health.start('Neovim')
  check_neovim()
  health.start('Server')
  check_binary(o)
  check_setup(o)
  local clients = check_clients(o)
  health.start('Data')
  check_data(o, clients)
end

return M
