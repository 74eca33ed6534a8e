-- Commands run in `:terminal` buffers, reported to the server when they end, so a build or test
-- that failed in Neovim's terminal counts like one Codex ran (the VS Code extension does the
-- same with its shell integration). Neovim tells reliably only what a terminal *job* was and how
-- it ended: the command of `:terminal npm test` (in the buffer name, `term://{cwd}//{pid}:{cmd}`)
-- and its exit status (TermClose, `v:event.status`). Commands typed into an interactive shell
-- are not seen; that shell's own exit is not a command and is not reported.

local M = {}

--- Programs that, run without a command, are an interactive shell.
local shells = {
  sh = true,
  bash = true,
  zsh = true,
  fish = true,
  dash = true,
  ksh = true,
  mksh = true,
  tcsh = true,
  csh = true,
  nu = true,
  xonsh = true,
  elvish = true,
  pwsh = true,
  powershell = true,
}

--- How much of a command's output goes to the server (it keeps an excerpt of head and tail).
local MAX_OUTPUT_LINES = 400

--- Terminal jobs seen starting: bufnr -> { command, cwd, started }.
local running = {}

--- Reads `term://{cwd}//{pid}:{command}`, the name Neovim gives a terminal buffer.
---@param name string
---@return { cwd: string, command: string }?
function M.parse(name)
  local cwd, command = name:match('^term://(.-)//%d+:(.*)$')
  if not cwd or vim.trim(command) == '' then
    return nil
  end
  return { cwd = vim.fs.normalize(cwd), command = vim.trim(command) }
end

--- Whether `command` starts an interactive shell rather than running a command: a shell with
--- nothing but options (`bash`, `/bin/zsh -l`, 'shell'), not `sh -c "…"` or `bash build.sh`.
---@param command string
---@return boolean
function M.is_shell(command)
  if command == vim.o.shell then
    return true
  end
  local words = vim.split(command, '%s+', { trimempty = true })
  if not shells[vim.fs.basename(words[1] or '')] then
    return false
  end
  for i = 2, #words do
    -- `-c` (or `-lc`) runs a command; any non-option word is a script to run.
    if not vim.startswith(words[i], '-') or words[i]:match('^%-%a*c$') then
      return false
    end
  end
  return true
end

---@param bufnr integer
local function output_of(bufnr)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  while #lines > 0 and vim.trim(lines[#lines]) == '' do
    table.remove(lines)
  end
  if #lines > MAX_OUTPUT_LINES then
    lines = vim.list_slice(lines, #lines - MAX_OUTPUT_LINES + 1)
  end
  return table.concat(lines, '\n')
end

--- TermOpen: remembers what the job runs and when it started.
---@param bufnr integer
function M.on_open(bufnr)
  local job = M.parse(vim.api.nvim_buf_get_name(bufnr))
  if job and not M.is_shell(job.command) then
    job.started = vim.uv.hrtime()
    running[bufnr] = job
  end
end

--- TermClose: sends `sessionlens/commandFinished` (docs/lsp-extensions.md) to the client serving
--- the command's folder (else any sessionlens client; none running, nothing is recorded).
---@param bufnr integer
---@param status? integer the job's exit status (`v:event.status`)
function M.on_close(bufnr, status)
  local job = running[bufnr]
  running[bufnr] = nil
  -- -1: Neovim stopped the job itself (its buffer was closed while it ran); not the command's
  -- own ending.
  if not job or (type(status) == 'number' and status < 0) then
    return
  end
  local client = require('sessionlens.client')
  local c = client.pick(nil, job.cwd)
  if not c then
    return
  end
  client.notify(c, 'sessionlens/commandFinished', {
    command = job.command,
    cwd = job.cwd,
    exitCode = type(status) == 'number' and status or nil,
    durationMs = math.floor((vim.uv.hrtime() - job.started) / 1e6),
    output = output_of(bufnr),
  })
end

--- Forgets a terminal wiped before its job ended (Neovim then sends TermClose after BufWipeout).
---@param bufnr integer
function M.forget(bufnr)
  running[bufnr] = nil
end

return M
