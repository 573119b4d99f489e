#!/usr/bin/env python3
"""Stamps a new rule: its module in src/rules/, its page in rules/, its line in the registry.

    tools/new_rule.py GW116 proxy-pass-to-listen-address --family DeadTargets \
        --severity warning --dialects nginx,haproxy [--kind model|chain|raised]

The module and the page are a start that does not pass: the suite runs the page's examples
(tests/suite/rule_pages.rs), so they fail until the check and the page are written. Then:
`GWLINT_BLESS=1 cargo test --test suite readme::` adds the README rows from the page, and the
snapshots are reviewed.
"""

import argparse
import pathlib
import re
import sys

FAMILIES = {
    "SyntaxAndFiles": ("syntax and files", "0"),
    "DeadTargets": ("dead targets", "1"),
    "Timeouts": ("timeouts", "2"),
    "HealthChecks": ("health checks", "3"),
    "Tls": ("TLS", "4"),
    "ReuseAndBuffers": ("connection reuse and buffers", "5"),
    "NameResolution": ("name resolution", "6"),
    "Chains": ("gateway chains", "7"),
}
DIALECTS = {"nginx": ("Nginx", "nginx"), "haproxy": ("Haproxy", "HAProxy")}


def fail(msg):
    print(f"new_rule: {msg}", file=sys.stderr)
    sys.exit(2)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("code")
    p.add_argument("name")
    p.add_argument("--family", required=True, choices=FAMILIES)
    p.add_argument("--severity", required=True, choices=["error", "warning", "info"])
    p.add_argument("--dialects", required=True, help="nginx, haproxy or nginx,haproxy")
    p.add_argument("--kind", default="model", choices=["model", "chain", "raised"])
    p.add_argument("--root", default=str(pathlib.Path(__file__).resolve().parent.parent))
    a = p.parse_args()

    root = pathlib.Path(a.root)
    if not re.fullmatch(r"GW\d{3}", a.code):
        fail(f"{a.code}: a code is GW and three digits")
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", a.name):
        fail(f"{a.name}: a name is lower-case words joined by '-'")
    family, digit = FAMILIES[a.family]
    if a.code[2] != digit:
        fail(f"{a.code}: codes of the {family} family are GW{digit}xx")
    dialects = [d.strip() for d in a.dialects.split(",") if d.strip()]
    if not dialects or any(d not in DIALECTS for d in dialects):
        fail(f"{a.dialects}: dialects are nginx, haproxy")
    module = a.name.replace("-", "_")
    rules_src = root / "src" / "rules"
    registry = rules_src / "mod.rs"
    text = registry.read_text()
    # Codes and names are stable forever: never two rules under one.
    for f in rules_src.glob("*.rs"):
        body = f.read_text()
        if f'code: "{a.code}"' in body or f'name: "{a.name}"' in body:
            fail(f"{a.code} or {a.name} is taken by {f.relative_to(root)}")
    path = rules_src / f"{module}.rs"
    page = root / "rules" / f"{a.code}-{a.name}.md"
    if path.exists() or page.exists():
        fail(f"{path} or {page} exists")

    # The registry line goes after the last rule of the same family.
    start = text.index("registry! {\n")
    end = text.index("\n}\n", start)
    lines = text[start:end].split("\n")
    at = None
    for i, line in enumerate(lines):
        m = re.fullmatch(r"    (model|chain|raised) (\w+),", line)
        if m:
            other = (rules_src / f"{m.group(2)}.rs").read_text()
            if f"family: {a.family}," in other:
                at = i
    entry = f"    {a.kind} {module},"
    if at is None:
        lines.append(entry)
    else:
        lines.insert(at + 1, entry)
    registry.write_text(text[:start] + "\n".join(lines) + text[end:])

    # Its page test, by code, in the rule-page suite's list.
    for suite in (root / "tests" / "suite" / "rule_pages.rs",):
        if suite.exists():
            body = suite.read_text()
            m = re.search(r"pages! \{\n(.*?),\n\}", body, re.S)
            if not m:
                fail(f"{suite}: no pages! list")
            codes = sorted(set(re.findall(r"GW\d{3}", m.group(1))) | {a.code})
            rows = [", ".join(codes[i : i + 10]) for i in range(0, len(codes), 10)]
            listed = "pages! {\n    " + ",\n    ".join(rows) + ",\n}"
            suite.write_text(body[: m.start()] + listed + body[m.end() :])
            break

    rust_dialects = ", ".join(DIALECTS[d][0] for d in dialects)
    shown_dialects = ", ".join(DIALECTS[d][1] for d in dialects)
    check = {
        "model": "pub(crate) fn check(ctx: &Context, out: &mut Vec<Finding>) {\n"
        "    let _ = (ctx, out);\n"
        "    todo!(\"{code}: read ctx.proxy (routes, pools, servers) and push findings\")\n}\n",
        "chain": "pub fn check(chain: &Chain, out: &mut Vec<Finding>) {\n"
        "    let _ = (chain, out);\n"
        "    todo!(\"{code}: check each hop of chain.hops\")\n}\n",
        "raised": "",
    }[a.kind].replace("{code}", a.code)
    imports = {
        "model": "use super::Context;\nuse crate::finding::Finding;\n\n",
        "chain": "use crate::chain::Chain;\nuse crate::finding::Finding;\n\n",
        "raised": "",
    }[a.kind]
    path.write_text(
        f"//! TODO: one line: what {a.code} finds, and what fails.\n\n"
        f"{imports}"
        "declare_rule! {\n"
        f'    code: "{a.code}",\n'
        f'    name: "{a.name}",\n'
        f"    severity: {a.severity.capitalize()},\n"
        f"    family: {a.family},\n"
        f"    dialects: [{rust_dialects}],\n"
        "    refuses: [],\n"
        '    summary: "TODO: one line for `gwlint rules` and the README",\n'
        "}\n" + ("\n" + check if check else "")
    )
    fence = "nginx" if dialects[0] == "nginx" else "haproxy"
    page.write_text(
        f"# {a.code} {a.name}\n\n| | |\n|---|---|\n| Severity | {a.severity} |\n"
        f"| Family | {family} |\n| Dialects | {shown_dialects} |\n\n"
        "## What it finds\n\nTODO: the directive or argument the finding sits on.\n\n"
        "## Why it breaks the gateway\n\nTODO: what fails and how: the status code, the proxy's log line.\n\n"
        f"## Bad\n\n```{fence}\nTODO: a configuration that raises exactly {a.code}\n```\n\n"
        f"## Good\n\n```{fence}\nTODO: the same configuration, fixed\n```\n\n"
        "## Proof\n\nTODO: the scenario of tests/proof.rs that shows it in the real proxy, or why none can.\n\n"
        f"**In short:** {shown_dialects} — TODO\n\n"
        "## References\n\n- TODO: the proxy's documentation or source\n"
    )
    print(f"created {path.relative_to(root)} and {page.relative_to(root)}; registered `{entry.strip()}`")
    print("next: write the check and the page, then `GWLINT_BLESS=1 cargo test --test suite readme::`,")
    print("a precision test in tests/suite/rules_precision.rs, a proof in tests/proof.rs, CHANGELOG.md")


if __name__ == "__main__":
    main()
