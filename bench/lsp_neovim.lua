-- `wdlint server` in a real editor: Neovim's own LSP client, headless.
--
--     nvim --headless -u NONE -c "luafile bench/lsp_neovim.lua"
--
-- run from the repository root, with `python` the interpreter that has pygls (or
-- WDLINT_PYTHON=/path/to/python). It writes a training script to a temporary directory, opens
-- it, waits for the diagnostics, asks for the code actions and the hover at the WD101 finding,
-- types `W` into `Adam(` and waits for WD101 to go, then prints what it saw and exits 1 if
-- anything was missing. Neovim 0.7 (Debian 12's) has no `vim.lsp.start` (0.8+, as the README
-- shows): `start_client` and `buf_attach_client` are what it does.
local root = vim.fn.getcwd()
local folder = vim.fn.tempname()
vim.fn.mkdir(folder, "p")
local file = folder .. "/train.py"
vim.fn.writefile({
  "import torch",
  "",
  "model = torch.nn.Linear(4, 4)",
  "opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)",
}, file)
vim.cmd("edit " .. file)

local start = vim.lsp.start or function(config)
  local id = vim.lsp.start_client(config)
  vim.lsp.buf_attach_client(0, id)
  return id
end
local client = start({
  name = "wdlint",
  cmd = { vim.env.WDLINT_PYTHON or "python", "-m", "wdlint", "server" },
  cmd_env = { PYTHONPATH = root },
  root_dir = folder,
})

local seen, failed = {}, false
local function expect(ok, line)
  table.insert(seen, (ok and "ok   " or "FAIL ") .. line)
  failed = failed or not ok
end
local function codes()
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(0)) do table.insert(found, d.code) end
  table.sort(found)
  return table.concat(found, ",")
end

vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 20)
expect(codes() == "WD101,WD201", "diagnostics on open: " .. codes())
for _, d in ipairs(vim.diagnostic.get(0)) do
  if d.code == "WD101" then
    expect(d.lnum == 3 and d.col == 6 and d.end_col == 22 and d.severity == vim.diagnostic.severity.WARN,
      string.format("WD101 at %d:%d-%d:%d, severity %d", d.lnum, d.col, d.end_lnum, d.end_col, d.severity))
  end
end

local document = { uri = vim.uri_from_fname(file) }
local at = { line = 3, character = 8 }
local actions = vim.lsp.buf_request_sync(0, "textDocument/codeAction",
  { textDocument = document, range = { start = at, ["end"] = at }, context = { diagnostics = {} } }, 10000)
local titles = {}
for _, response in pairs(actions or {}) do
  for _, action in ipairs(response.result or {}) do table.insert(titles, action.title) end
end
expect(vim.tbl_contains(titles, "Use `AdamW` (WD101; unsafe: changes training)")
  and vim.tbl_contains(titles, "Suppress WD101 with `# noqa: WD101`"), "code actions: " .. table.concat(titles, " | "))

local hover = vim.lsp.buf_request_sync(0, "textDocument/hover", { textDocument = document, position = at }, 10000)
local first = ""
for _, response in pairs(hover or {}) do
  if response.result then first = vim.split(response.result.contents.value, "\n")[1] end
end
expect(first == "# adam-coupled-decay (WD101)", "hover: " .. first)

vim.api.nvim_buf_set_text(0, 3, 22, 3, 22, { "W" }) -- torch.optim.Adam( -> AdamW(
vim.wait(20000, function() return codes() == "WD201" end, 20)
expect(codes() == "WD201", "after typing AdamW: " .. codes())

vim.lsp.stop_client(client)
vim.wait(5000, function() return vim.lsp.client_is_stopped(client) end, 20)
io.stdout:write(table.concat(seen, "\n") .. "\n")
vim.cmd(failed and "cquit 1" or "qall!")
