-- The configuration Neovim 0.11 finds for `vim.lsp.enable("sessionlens")` (and
-- `vim.lsp.config("sessionlens", {...})` merges over): the same client setup() starts, built from
-- the plugin's current options (the defaults unless setup() was called). Neovim 0.10 has no
-- vim.lsp.enable and ignores this folder.
return require('sessionlens.client').config()
