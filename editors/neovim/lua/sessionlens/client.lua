-- Everything about the LSP client of `sessionlens serve`: the client configuration (shared by
-- setup() and lsp/sessionlens.lua), finding the running clients, running server commands, and
-- keeping code lenses fresh. Neovim 0.10 and 0.11 differ in a few client APIs (method calls,
-- capabilities); those differences are absorbed here and nowhere else.

local config = require('sessionlens.config')

local M = {}

M.name = 'sessionlens'

local has_011 = vim.fn.has('nvim-0.11') == 1

--- `client:request(...)` on 0.11; 0.10 clients only have `client.request(...)`, which 0.11
--- deprecates.
---@param client vim.lsp.Client
function M.request(client, method, params, handler, bufnr)
  if has_011 then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

---@param client vim.lsp.Client
function M.notify(client, method, params)
  if has_011 then
    return client:notify(method, params)
  end
  return client.notify(method, params)
end

---@param client vim.lsp.Client
local function request_sync(client, method, params, timeout, bufnr)
  if has_011 then
    return client:request_sync(method, params, timeout, bufnr)
  end
  return client.request_sync(method, params, timeout, bufnr)
end

--- The running sessionlens clients, optionally only those attached to `bufnr`.
---@param bufnr? integer
---@return vim.lsp.Client[]
function M.clients(bufnr)
  return vim.lsp.get_clients({ name = M.name, bufnr = bufnr })
end

--- The folders a client serves, as paths.
---@param client vim.lsp.Client
---@return string[]
local function roots(client)
  local out = {}
  for _, f in ipairs(client.workspace_folders or {}) do
    table.insert(out, vim.uri_to_fname(f.uri))
  end
  if #out == 0 and client.config.root_dir then
    table.insert(out, client.config.root_dir)
  end
  return out
end
M.roots = roots

--- Whether `path` is `root` or inside it.
local function inside(path, root)
  return path == root or vim.startswith(path, root:gsub('/$', '') .. '/')
end

--- The client a command should go to: the one attached to `bufnr`, else the one whose folder
--- holds `path` (deepest folder first), else any.
---@param bufnr? integer
---@param path? string
---@return vim.lsp.Client?
function M.pick(bufnr, path)
  if bufnr then
    local attached = M.clients(bufnr)[1]
    if attached then
      return attached
    end
  end
  local all = M.clients()
  if path then
    local best, depth = nil, -1
    for _, c in ipairs(all) do
      for _, root in ipairs(roots(c)) do
        if inside(path, root) and #root > depth then
          best, depth = c, #root
        end
      end
    end
    if best then
      return best
    end
  end
  return all[1]
end

local function visible(bufnr)
  return vim.api.nvim_buf_is_loaded(bufnr) and #vim.fn.win_findbuf(bufnr) > 0
end

--- Asks for fresh code lenses in `bufnr` (a no-op when lenses are off or nothing is attached).
---@param bufnr integer
function M.refresh_lenses(bufnr)
  if not config.get().lenses or not vim.api.nvim_buf_is_loaded(bufnr) then
    return
  end
  if #M.clients(bufnr) > 0 then
    vim.lsp.codelens.refresh({ bufnr = bufnr })
  end
end

--- Refreshes the lenses of every buffer of `client` (all clients if nil) shown in a window; the
--- others refresh when they are entered.
---@param client? vim.lsp.Client
function M.refresh_all(client)
  for _, c in ipairs(client and { client } or M.clients()) do
    for bufnr in pairs(c.attached_buffers) do
      if visible(bufnr) then
        M.refresh_lenses(bufnr)
      end
    end
  end
end

--- Runs a server command on `client` and calls `on_result(result)` with its answer; an error
--- is shown to the user. Lenses are refreshed afterwards, as what a command changes may change
--- them.
---@param client vim.lsp.Client
---@param command string
---@param arguments? any[]
---@param on_result? fun(result: table)
---@param bufnr? integer
function M.exec(client, command, arguments, on_result, bufnr)
  local params = { command = command, arguments = arguments or {} }
  M.request(client, 'workspace/executeCommand', params, function(err, result)
    if err then
      vim.notify(('Session Lens: %s'):format(err.message or tostring(err)), vim.log.levels.ERROR)
    elseif on_result then
      -- Every command answers with an object (docs/lsp-extensions.md).
      on_result(type(result) == 'table' and result or {})
    end
    M.refresh_all(client)
  end, bufnr)
end

--- The same, waiting for the answer (for :checkhealth). Returns the result or nil, error.
---@param client vim.lsp.Client
function M.exec_sync(client, command, arguments, timeout)
  local resp, err = request_sync(
    client,
    'workspace/executeCommand',
    { command = command, arguments = arguments or {} },
    timeout or 2000
  )
  if not resp then
    return nil, err or 'no answer'
  end
  if resp.err then
    return nil, resp.err.message
  end
  return resp.result
end

--- Pushes the run-time settings to every running client (workspace/didChangeConfiguration).
function M.push_settings()
  local settings = { sessionlens = config.server_settings(false) }
  for _, c in ipairs(M.clients()) do
    c.settings = vim.tbl_deep_extend('force', c.settings or {}, settings)
    M.notify(c, 'workspace/didChangeConfiguration', { settings = settings })
  end
end

--- `sessionlens.showInsights`, the command behind every lens: run on the server, the answer in a
--- floating window (Neovim itself shows nothing of a command's result).
---@param command lsp.Command
---@param ctx { bufnr: integer, client_id: integer }
local function show_insights(command, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  if not client then
    return
  end
  M.exec(client, command.command, command.arguments, function(result)
    local md = type(result) == 'table' and result.markdown or nil
    if type(md) ~= 'string' or vim.trim(md) == '' then
      vim.notify('Session Lens: nothing recorded about this any more', vim.log.levels.INFO)
      return
    end
    require('sessionlens.ui').float(md, 'sessionlens.showInsights')
  end, ctx.bufnr)
end

--- `workspace/codeLens/refresh` from the server, for Neovims that have no handler of their own
--- (0.10, 0.11): fetch the lenses of the client's visible buffers again.
local function on_codelens_refresh(_, _, ctx)
  M.refresh_all(vim.lsp.get_client_by_id(ctx.client_id))
  return vim.NIL
end

--- Neovim does not announce lens refreshes; with the handler above, the server may send them and
--- lenses follow what it learns (a Codex turn, a resolve) without a keystroke. 0.11 merges a
--- client's capabilities into its defaults; 0.10 takes them as they are.
local function capabilities()
  local extra = { workspace = { codeLens = { refreshSupport = true } } }
  if has_011 then
    return extra
  end
  return vim.tbl_deep_extend('force', vim.lsp.protocol.make_client_capabilities(), extra)
end

--- The client configuration for vim.lsp.start (and, with `filetypes` and `root_markers`, for
--- vim.lsp.config / lsp/sessionlens.lua), from the current options.
---@return vim.lsp.Config
function M.config()
  local o = config.get()
  local handlers = {}
  if not vim.lsp.handlers['workspace/codeLens/refresh'] then
    handlers['workspace/codeLens/refresh'] = on_codelens_refresh
  end
  local cfg = {
    name = M.name,
    cmd = o.cmd,
    filetypes = o.filetypes,
    root_markers = o.root_markers,
    init_options = config.server_settings(true),
    settings = { sessionlens = config.server_settings(false) },
    capabilities = capabilities(),
    handlers = handlers,
    commands = { ['sessionlens.showInsights'] = show_insights },
  }
  return vim.tbl_deep_extend('force', cfg, o.client)
end

--- Starts (or reuses) the client for `bufnr` and attaches it, the way vim.lsp.enable does on
--- 0.11, but available on 0.10 too. Returns the client id, or nil for buffers that are not files.
---@param bufnr integer
---@return integer?
function M.start(bufnr)
  if vim.bo[bufnr].buftype ~= '' or vim.api.nvim_buf_get_name(bufnr) == '' then
    return nil
  end
  local cfg = M.config()
  cfg.root_dir = vim.fs.root(bufnr, cfg.root_markers)
  cfg.filetypes, cfg.root_markers = nil, nil
  return vim.lsp.start(cfg, { bufnr = bufnr })
end

return M
