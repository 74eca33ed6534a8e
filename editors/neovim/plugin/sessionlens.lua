-- Sourced by Neovim at startup: the user commands, and — unless require("sessionlens").setup()
-- has already run — one FileType autocommand that runs it with the defaults when the first
-- buffer gets a filetype, so that setup() stays optional. Nothing else is loaded until then.

if vim.g.loaded_sessionlens then
  return
end
vim.g.loaded_sessionlens = 1

if vim.fn.has('nvim-0.10') ~= 1 then
  vim.notify_once('Session Lens needs Neovim 0.10 or newer', vim.log.levels.WARN)
  return
end

local function sessionlens()
  return require('sessionlens')
end

local command = vim.api.nvim_create_user_command

command('SessionLensSummary', function(o)
  sessionlens().summary(o.fargs[1], o.smods)
end, { nargs = '?', desc = 'Session Lens: summarize a session into the learnings file' })

command('SessionLensTimeline', function(o)
  sessionlens().timeline(o.fargs[1], o.smods)
end, { nargs = '?', desc = "Session Lens: a session's events in order" })

command('SessionLensResolve', function(o)
  sessionlens().resolve(o.fargs[1])
end, { nargs = '?', desc = 'Session Lens: mark an open question resolved' })

command('SessionLensReopen', function(o)
  sessionlens().mark(o.fargs[1], false)
end, { nargs = 1, desc = 'Session Lens: mark an insight open again' })

command('SessionLensToggle', function(o)
  local states = { on = true, off = false }
  local arg = o.fargs[1]
  if arg ~= nil and states[arg] == nil then
    vim.notify('Session Lens: :SessionLensToggle takes "on", "off" or nothing', vim.log.levels.ERROR)
    return
  end
  sessionlens().toggle(states[arg or ''])
end, {
  nargs = '?',
  complete = function()
    return { 'on', 'off' }
  end,
  desc = 'Session Lens: hover, lenses and hints on or off',
})

command('SessionLensIngest', function()
  sessionlens().ingest()
end, { nargs = 0, desc = 'Session Lens: read new Codex sessions now' })

local loaded = package.loaded['sessionlens']
if not (loaded and loaded.did_setup()) then
  vim.api.nvim_create_autocmd('FileType', {
    group = vim.api.nvim_create_augroup('sessionlens', { clear = true }),
    desc = 'Session Lens: setup() with the defaults',
    callback = function()
      local sl = require('sessionlens')
      if not sl.did_setup() then
        -- Replaces this autocommand with setup()'s own and attaches the buffers open so far.
        sl.setup()
      end
    end,
  })
end
