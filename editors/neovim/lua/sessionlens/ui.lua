-- How the plugin shows what the server answers: a scratch buffer in a split (summaries,
-- timelines) or a floating window (the details behind a lens). Nothing here talks to the server.

local M = {}

--- The buffer named `name`, if one exists.
local function find(name)
  for _, b in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_valid(b) and vim.api.nvim_buf_get_name(b) == name then
      return b
    end
  end
end

--- Shows `text` in a read-only scratch buffer called `name` (reused if it exists), in a split
--- (`mods` are the command's modifiers: `:vertical SessionLensSummary` splits vertically) or in
--- the window already showing it. `q` closes the window. Returns the buffer.
---@param name string
---@param text string
---@param filetype string
---@param mods? table  `smods` of a user command
---@return integer
function M.scratch(name, text, filetype, mods)
  local buf = find(name)
  if not buf then
    buf = vim.api.nvim_create_buf(false, true)
    vim.api.nvim_buf_set_name(buf, name)
    vim.bo[buf].bufhidden = 'wipe'
    vim.keymap.set('n', 'q', '<cmd>close<cr>', { buffer = buf, silent = true, desc = 'Close' })
  end
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, vim.split(text, '\n', { plain = true }))
  vim.bo[buf].modifiable = false
  vim.bo[buf].modified = false
  vim.bo[buf].filetype = filetype
  local win = vim.fn.win_findbuf(buf)[1]
  if win then
    vim.api.nvim_set_current_win(win)
  else
    vim.cmd({ cmd = 'split', mods = mods or {} })
    vim.api.nvim_win_set_buf(0, buf)
  end
  return buf
end

--- Shows markdown in a floating window at the cursor, closed when the cursor moves (`focus_id`
--- makes a second call focus the window instead of opening another). The border is the user's
--- ('winborder' on 0.11).
---@param markdown string
---@param focus_id string
---@return integer bufnr, integer winid
function M.float(markdown, focus_id)
  local lines = vim.split(markdown, '\n', { plain = true, trimempty = true })
  return vim.lsp.util.open_floating_preview(lines, 'markdown', {
    focus_id = focus_id,
    max_width = math.max(40, math.floor(vim.o.columns * 0.8)),
    max_height = math.max(10, math.floor(vim.o.lines * 0.6)),
  })
end

return M
