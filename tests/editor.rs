//! gwlint server in a real editor: headless Neovim (Debian's 0.7: `vim.lsp.start_client` and
//! `buf_attach_client`, as `vim.lsp.start` came in 0.8) opens a configuration with a known
//! finding, and a small Lua script writes what the editor got (its diagnostics before and
//! after an unsaved edit that fixes the finding, and the hover over it) as JSON for the test to
//! check. Needs `nvim` (apt-get install neovim): fails, not skips, without it.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Neovim is killed after this: the script's own waits are shorter.
const LIMIT: Duration = Duration::from_secs(60);

const INIT: &str = r#"
local file, out = os.getenv("GWLINT_FILE"), os.getenv("GWLINT_OUT")
local result = {}
local function finish()
  local f = assert(io.open(out, "w"))
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd("qa!")
end
local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local client = vim.lsp.start_client({
    name = "gwlint",
    cmd = { os.getenv("GWLINT_BIN"), "server" },
    root_dir = vim.fn.fnamemodify(file, ":h"),
  })
  assert(client, "the client did not start")
  vim.lsp.buf_attach_client(0, client)
  local function gw601()
    for _, d in ipairs(vim.diagnostic.get(0)) do
      if d.source == "gwlint" and (d.code or d.user_data.lsp.code) == "GW601" then
        return d
      end
    end
  end
  vim.wait(20000, function() return gw601() ~= nil end, 50)
  local d = gw601()
  result.before = vim.diagnostic.get(0)
  if d then
    local hover = vim.lsp.buf_request_sync(0, "textDocument/hover", {
      textDocument = { uri = vim.uri_from_bufnr(0) },
      position = { line = d.lnum, character = d.col },
    }, 10000)
    for _, r in pairs(hover or {}) do
      if r.result then result.hover = r.result.contents.value end
    end
  end
  -- Unsaved: only the buffer has the resolver.
  vim.api.nvim_buf_set_lines(0, 1, 1, false, { "    resolver 127.0.0.11 valid=10s;" })
  result.fixed = vim.wait(20000, function() return gw601() == nil end, 50)
  result.after = vim.diagnostic.get(0)
end)
if not ok then result.error = tostring(err) end
finish()
"#;

const NO_RESOLVER: &str = "events {}
http {
    server {
        listen 80;
        location / {
            set $target app.internal;
            proxy_pass http://$target:8080;
        }
    }
}
";

fn nvim() -> String {
    let found = Command::new("sh")
        .args(["-c", "command -v nvim"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    assert!(
        !found.is_empty(),
        "nvim is not installed: the editor test needs Neovim (apt-get install neovim)"
    );
    found
}

fn run_nvim(dir: &Path, file: &Path, out: &Path) {
    let init = dir.join("init.lua");
    std::fs::write(&init, INIT).unwrap();
    let xdg = dir.join("xdg");
    let mut child = Command::new(nvim())
        .args(["--headless", "--clean", "-c"])
        .arg(format!("luafile {}", init.display()))
        .current_dir(dir)
        .env("GWLINT_BIN", env!("CARGO_BIN_EXE_gwlint"))
        .env("GWLINT_FILE", file)
        .env("GWLINT_OUT", out)
        // Neovim's own state and LSP log stay in the test's directory.
        .env("XDG_CONFIG_HOME", xdg.join("config"))
        .env("XDG_DATA_HOME", xdg.join("data"))
        .env("XDG_STATE_HOME", xdg.join("state"))
        .env("XDG_CACHE_HOME", xdg.join("cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nvim starts");
    let deadline = Instant::now() + LIMIT;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "nvim exited with {status}");
            return;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("nvim did not finish within {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn neovim_shows_the_finding_hovers_it_and_clears_it_on_an_unsaved_fix() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("nginx.conf");
    std::fs::write(&file, NO_RESOLVER).unwrap();
    let out = dir.path().join("result.json");
    run_nvim(dir.path(), &file, &out);
    let text = std::fs::read_to_string(&out).expect("the script wrote its result");
    let result: Value = serde_json::from_str(&text).unwrap();
    assert!(result.get("error").is_none(), "{result:#}");
    let before = result["before"].as_array().expect("diagnostics");
    let d = before
        .iter()
        .find(|d| d["user_data"]["lsp"]["code"] == "GW601")
        .unwrap_or_else(|| panic!("no GW601 in {result:#}"));
    // 0-based, as Neovim holds them: line 7, column of `http://` (all ASCII).
    assert_eq!(d["lnum"], 6, "{d:#}");
    assert_eq!(d["col"], 23, "{d:#}");
    assert_eq!(d["severity"], 1, "an error: {d:#}");
    assert_eq!(d["source"], "gwlint");
    let hover = result["hover"].as_str().unwrap_or_default();
    assert!(
        hover.contains("**GW601** `variable-pass-without-resolver`"),
        "{result:#}"
    );
    assert_eq!(
        result["fixed"], true,
        "GW601 stayed after the fix: {result:#}"
    );
    assert!(
        result["after"]
            .as_array()
            .is_some_and(|a| a.iter().all(|d| d["user_data"]["lsp"]["code"] != "GW601")),
        "{result:#}"
    );
}
