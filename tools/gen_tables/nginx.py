#!/usr/bin/env python3
"""Generate gwlint's table of nginx directives from nginx's own sources.

Reads, from bare git clones (nothing is downloaded, nothing is cached outside
memory):

  * nginx/nginx: the ngx_command_t arrays of every .c file under src/ at every
    release tag from --from (default release-1.18.0) to the newest tag, and
    auto/options, auto/modules, auto/sources and auto/os/* at the newest tag
    (which modules are built by default);
  * nginx/nginx.org: xml/en/docs/**.xml at HEAD (documented defaults, and the
    directives that only NGINX Plus has);
  * third-party modules (--third OWNER/NAME=REPO): their ngx_command_t arrays
    at HEAD;
  * nginx/pkg-oss (optional): the configure arguments of the nginx.org
    packages, for the builds table.

Usage:

  python3 tools/gen_tables/nginx.py \\
      --nginx PATH --nginx-org PATH [--from release-1.18.0] \\
      [--third OWNER/NAME=PATH ...] [--pkg-oss PATH] [--debian-nginx /usr/sbin/nginx] \\
      [--out data/tables/nginx-directives.tsv] \\
      [--builds-out data/tables/nginx-builds.tsv]

Every PATH is a git directory (bare or not). The directives table goes to
--out (standard output without it); the builds table is written only with
--builds-out. Diagnostics go to standard error. Python 3.11 standard library
only; the output depends on nothing but the repositories' contents (and, for
the debian-bookworm preset, on `nginx -V` of --debian-nginx).
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import defaultdict

# ---------------------------------------------------------------------------
# Vocabulary of the output.

CONTEXT_ORDER = [
    "main", "direct", "any", "events",
    "http", "http_srv", "http_loc", "http_ups", "http_sif", "http_lif", "http_lmt",
    "stream", "stream_srv", "stream_ups",
    "mail", "mail_srv",
]

ARG_BITS = [  # (bit, name), in output order
    (0x00000001, "noargs"),
    (0x00000002, "take1"),
    (0x00000004, "take2"),
    (0x00000008, "take3"),
    (0x00000010, "take4"),
    (0x00000020, "take5"),
    (0x00000040, "take6"),
    (0x00000080, "take7"),
    (0x00000800, "1more"),
    (0x00001000, "2more"),
    (0x00000200, "flag"),
    (0x00000400, "any"),
    (0x00000100, "block"),
]

# Context bits above NGX_MAIN_CONF mean different blocks in different module
# types (src/http/ngx_http_config.h, src/stream/ngx_stream.h, src/mail/ngx_mail.h,
# src/event/ngx_event.h all reuse 0x02000000 and up).
TYPE_CONTEXT_BITS = {
    "NGX_HTTP_MODULE": {
        0x02000000: "http", 0x04000000: "http_srv", 0x08000000: "http_loc",
        0x10000000: "http_ups", 0x20000000: "http_sif", 0x40000000: "http_lif",
        0x80000000: "http_lmt",
    },
    "NGX_STREAM_MODULE": {
        0x02000000: "stream", 0x04000000: "stream_srv", 0x08000000: "stream_ups",
    },
    "NGX_MAIL_MODULE": {0x02000000: "mail", 0x04000000: "mail_srv"},
    "NGX_EVENT_MODULE": {0x02000000: "events"},
    "NGX_CORE_MODULE": {},
    "NGX_CONF_MODULE": {},
}

NGX_DIRECT_CONF = 0x00010000
NGX_MAIN_CONF = 0x01000000
NGX_ANY_CONF = 0xFF000000

# Which macro family a context macro belongs to, to report mismatches.
MACRO_FAMILY = {"NGX_HTTP_": "NGX_HTTP_MODULE", "NGX_STREAM_": "NGX_STREAM_MODULE",
                "NGX_MAIL_": "NGX_MAIL_MODULE", "NGX_EVENT_": "NGX_EVENT_MODULE"}

SLOT_KINDS = {
    "ngx_conf_set_flag_slot": "flag",
    "ngx_conf_set_msec_slot": "msec",
    "ngx_conf_set_sec_slot": "sec",
    "ngx_conf_set_size_slot": "size",
    "ngx_conf_set_off_slot": "off",
    "ngx_conf_set_bufs_slot": "bufs",
    "ngx_conf_set_num_slot": "num",
    "ngx_conf_set_str_slot": "str",
    "ngx_conf_set_str_array_slot": "str_array",
    "ngx_conf_set_keyval_slot": "keyval",
    "ngx_conf_set_path_slot": "path",
    "ngx_conf_set_access_slot": "access",
    "ngx_conf_set_enum_slot": "enum",
    "ngx_conf_set_bitmask_slot": "bitmask",
}

HEADER_COLUMNS = ["name", "module", "build", "contexts", "args", "kind", "dup",
                  "default", "versions", "params"]

WARNINGS: list[str] = []


def warn(msg: str) -> None:
    WARNINGS.append(msg)
    print("nginx.py: " + msg, file=sys.stderr)


# ---------------------------------------------------------------------------
# Git access.

class Repo:
    def __init__(self, path: str, name: str):
        self.path = path
        self.name = name
        self._cat = None

    def git(self, *args: str) -> str:
        r = subprocess.run(["git", "-C", self.path, *args], capture_output=True)
        if r.returncode != 0:
            raise SystemExit("git %s failed in %s: %s" % (
                " ".join(args), self.path, r.stderr.decode(errors="replace").strip()))
        return r.stdout.decode("utf-8", errors="replace")

    def rev(self, rev: str) -> str:
        return self.git("rev-parse", rev + "^{commit}").strip()

    def ls_tree(self, rev: str, prefix: str | None = None) -> list[tuple[str, str]]:
        args = ["ls-tree", "-r", "-z", rev]
        if prefix:
            args += ["--", prefix]
        out = self.git(*args)
        res = []
        for ent in out.split("\0"):
            if not ent:
                continue
            meta, path = ent.split("\t", 1)
            mode, typ, sha = meta.split()
            if typ == "blob":
                res.append((path, sha))
        res.sort()
        return res

    def blob(self, sha: str) -> str:
        if self._cat is None:
            self._cat = subprocess.Popen(
                ["git", "-C", self.path, "cat-file", "--batch"],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._cat.stdin.write((sha + "\n").encode())
        self._cat.stdin.flush()
        head = self._cat.stdout.readline().split()
        if len(head) < 3 or head[1] != b"blob":
            raise SystemExit("cannot read blob %s in %s" % (sha, self.path))
        size = int(head[2])
        data = self._cat.stdout.read(size)
        self._cat.stdout.read(1)
        return data.decode("utf-8", errors="replace")

    def show(self, rev: str, path: str) -> str | None:
        r = subprocess.run(["git", "-C", self.path, "show", "%s:%s" % (rev, path)],
                           capture_output=True)
        if r.returncode != 0:
            return None
        return r.stdout.decode("utf-8", errors="replace")


# ---------------------------------------------------------------------------
# C source parsing.

def strip_comments(src: str) -> str:
    """Remove /* */ and // comments, keeping strings, char literals and newlines."""
    out = []
    i, n = 0, len(src)
    while i < n:
        c = src[i]
        if c == "/" and i + 1 < n and src[i + 1] == "*":
            j = src.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * src.count("\n", i, j) or " ")
            i = j
        elif c == "/" and i + 1 < n and src[i + 1] == "/":
            j = src.find("\n", i)
            i = n if j < 0 else j
        elif c in "\"'":
            j = i + 1
            while j < n and src[j] != c:
                if src[j] == "\\":
                    j += 1
                elif src[j] == "\n":
                    break
                j += 1
            out.append(src[i:j + 1])
            i = j + 1
        else:
            j = i
            while j < n and src[j] not in "/\"'":
                j += 1
            if j == i:
                out.append(c)
                j = i + 1
            else:
                out.append(src[i:j])
            i = j
    return "".join(out)


def drop_preprocessor(text: str) -> str:
    """Remove preprocessor lines (with their continuations): every branch of
    #if/#else is kept, as a directive may exist under any build option."""
    res = []
    cont = False
    for line in text.split("\n"):
        s = line.strip()
        if cont or s.startswith("#"):
            cont = s.endswith("\\")
            res.append("")
            continue
        res.append(line)
    return "\n".join(res)


def match_brace(text: str, start: int) -> int:
    """text[start] is an opening brace/paren; return index of its match."""
    pairs = {"{": "}", "(": ")", "[": "]"}
    stack = []
    i, n = start, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                if text[j] == "\\":
                    j += 1
                j += 1
            i = j + 1
            continue
        if c in pairs:
            stack.append(pairs[c])
        elif c in ")]}":
            if not stack or stack[-1] != c:
                return -1
            stack.pop()
            if not stack:
                return i
        i += 1
    return -1


def split_top(text: str, sep: str = ",") -> list[str]:
    parts, depth, cur, i, n = [], 0, [], 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                if text[j] == "\\":
                    j += 1
                j += 1
            cur.append(text[i:j + 1])
            i = j + 1
            continue
        if c in "({[":
            depth += 1
        elif c in ")}]":
            depth -= 1
        if c == sep and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(c)
        i += 1
    tail = "".join(cur).strip()
    if tail:
        parts.append(tail)
    return parts


RE_ARRAY = re.compile(r"\b(ngx_command_t|ngx_conf_enum_t|ngx_conf_bitmask_t)\s+(\w+)\s*\[\s*\w*\s*\]\s*=\s*\{")
RE_MODULE = re.compile(r"(?m)^[ \t]*(?:static\s+)?ngx_module_t\s+(\w+)\s*=\s*\{")
RE_NGX_STRING = re.compile(r'^ngx_string\s*\(\s*"((?:[^"\\]|\\.)*)"\s*\)$')
RE_FUNC_START = re.compile(r"(?m)^([A-Za-z_][\w \t\*]*?)?\b([A-Za-z_]\w*)\s*\(")
RE_DEFINE = re.compile(r"(?m)^[ \t]*#[ \t]*define[ \t]+([A-Z_][A-Z0-9_]*)[ \t]+((?:[^\n\\]|\\\n)*)")


class CFile:
    """What one C file defines: command arrays, modules, enum/bitmask arrays,
    functions (and whether their bodies contain "is duplicate"), macros."""

    def __init__(self, text: str):
        self.commands: dict[str, list[dict]] = {}
        self.modules: list[tuple[str, str, str]] = []  # (module, commands array, type)
        self.enums: dict[str, list[str]] = {}
        self.bitmasks: dict[str, list[str]] = {}
        # function -> (dup_kind() of its body, set functions it hands cf, cmd, conf to
        # at the top level of its body and whose error it returns)
        self.funcs: dict[str, tuple[int, tuple[str, ...]]] = {}
        self.defines: dict[str, str] = {}
        # function -> ParamInfo: the fixed parameter words its body compares
        self.pfuncs: dict[str, "ParamInfo"] = {}
        for m in RE_DEFINE.finditer(strip_comments(text)):
            self.defines.setdefault(m.group(1), m.group(2).replace("\\\n", " ").strip())
        code = drop_preprocessor(strip_comments(text))
        self._arrays(code)
        self._modules(code)
        self._functions(code)

    def _arrays(self, code: str) -> None:
        for m in RE_ARRAY.finditer(code):
            kind, name = m.group(1), m.group(2)
            end = match_brace(code, m.end() - 1)
            if end < 0:
                warn("unbalanced array %s" % name)
                continue
            body = code[m.end():end]
            entries = []
            for item in split_top(body):
                if not item.startswith("{"):
                    continue  # ngx_null_command and the like
                close = match_brace(item, 0)
                fields = split_top(item[1:close])
                entries.append(fields)
            if kind == "ngx_command_t":
                cmds = []
                for f in entries:
                    if len(f) < 6:
                        continue
                    sm = RE_NGX_STRING.match(f[0])
                    if not sm:
                        warn("unparsed command name %r in %s" % (f[0], name))
                        continue
                    post = f[5].strip()
                    pm = re.match(r"^&?\s*(\w+)$", post)
                    if pm and pm.group(1) == "NULL":
                        pm = None
                    cmds.append({
                        "name": sm.group(1),
                        "type": f[1],
                        "set": f[2].strip(),
                        "post": pm.group(1) if pm else None,
                    })
                self.commands[name] = cmds
            else:
                vals = []
                for f in entries:
                    if not f:
                        continue
                    sm = RE_NGX_STRING.match(f[0])
                    if sm:
                        vals.append(sm.group(1))
                (self.enums if kind == "ngx_conf_enum_t" else self.bitmasks)[name] = vals

    def _modules(self, code: str) -> None:
        for m in RE_MODULE.finditer(code):
            end = match_brace(code, m.end() - 1)
            fields = split_top(code[m.end():end])
            if len(fields) < 4 or fields[0] != "NGX_MODULE_V1":
                warn("unexpected ngx_module_t layout for %s" % m.group(1))
                continue
            cmds = fields[2].strip()
            mtype = fields[3].strip()
            self.modules.append((m.group(1), cmds, mtype))

    def _functions(self, code: str) -> None:
        for m in RE_FUNC_START.finditer(code):
            name = m.group(2)
            if name in ("if", "for", "while", "switch", "return", "sizeof"):
                continue
            paren = m.end() - 1
            close = match_brace(code, paren)
            if close < 0:
                continue
            k = close + 1
            while k < len(code) and code[k] in " \t\r\n":
                k += 1
            if k >= len(code) or code[k] != "{":
                continue
            body_end = match_brace(code, k)
            if body_end < 0:
                continue
            body = code[k:body_end + 1]
            dup = dup_kind(body)
            old = self.funcs.get(name, (0, ()))
            self.funcs[name] = (max(old[0], dup), tuple(sorted(set(old[1]) | delegates(body))))
            if name not in self.pfuncs:
                self.pfuncs[name] = param_info(code[paren + 1:close], body)


RE_DELEGATE = re.compile(
    r"(?:\breturn\s+(\w+)\s*\(\s*cf\s*,\s*cmd\s*,\s*conf\s*\)\s*;)"
    r"|(?:\b(\w+)\s*=\s*(\w+)\s*\(\s*cf\s*,\s*cmd\s*,\s*conf\s*\)\s*;"
    r"\s*if\s*\(\s*\2\s*!=\s*NGX_CONF_OK\s*\)\s*\{?\s*return\s+\2\s*;)")


def delegates(body: str) -> set[str]:
    """Set functions a set function's body calls with its own (cf, cmd, conf) at the
    top level (not inside an if or a loop) and whose error it returns."""
    res = set()
    for m in RE_DELEGATE.finditer(body):
        depth = 0
        for c in body[:m.start()]:
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
        if depth == 1:
            res.add(m.group(1) or m.group(3))
    return res


# ---------------------------------------------------------------------------
# Fixed parameter words: the literals a set function (or a helper it hands the
# arguments to) compares the directive's words with, next to an "invalid
# parameter" / "invalid value" answer for a word that matches none.

RE_CMP = re.compile(
    r"\bngx_str(n?)(?:case)?cmp\s*\(\s*(\w+)\s*\[\s*([^\]\[]+?)\s*\]\s*\.\s*data\s*,\s*"
    r"(?:\(\s*(?:const\s+)?u_char\s*\*\s*\)\s*)?\"((?:[^\"\\]|\\.)*)\"")
RE_FOR = re.compile(r"\bfor\s*\(\s*(\w+)\s*=\s*([^;()]+?)\s*;\s*\1\s*<")
RE_CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
RE_INVALID = re.compile(r"\"invalid (?:parameter|value)")
# an answer naming the word it refuses: "invalid parameter \"%V\"", "invalid session
# cache \"%V\"", "invalid value \"%V\" in \"%V\" directive", "the invalid \"%V\" parameter"
RE_REFUSAL = re.compile(r'"(?:the )?invalid (?:[^"\\]|\\.)*?\\"%V\\"')
RE_ELTS = re.compile(r"\b(\w+)\s*=\s*cf\s*->\s*args\s*->\s*elts\s*;")
RE_LABEL = re.compile(r"(?m)^\s*([A-Za-z_]\w*)\s*:(?!:)")
RE_GOTO = re.compile(r"\bgoto\s+(\w+)\s*;")


class ParamInfo:
    """What one function body says about parameter words (see param_info)."""
    __slots__ = ("params", "arrays", "comps", "calls", "invalid")

    def __init__(self, params, arrays, comps, calls, invalid):
        self.params = params    # parameter names, in order
        self.arrays = arrays    # locals holding cf->args->elts
        # (array, word index: a constant, ("loop", start), or None for a loop
        # whose start is not a constant; the word's forms (("gzip", "gzip=")),
        # prefix, refused: a word matching none gets an "invalid ..." answer)
        self.comps = comps
        self.calls = calls      # (callee, argument position, array, offset)
        self.invalid = invalid  # the body has an "invalid parameter/value" answer


def c_statement_end(text: str, i: int) -> int:
    """End (exclusive) of the statement starting at text[i]: a block, an if/else
    chain, or a simple statement up to its ';'."""
    n = len(text)
    while i < n and text[i] in " \t\r\n":
        i += 1
    if i >= n:
        return n
    if text[i] == "{":
        j = match_brace(text, i)
        return n if j < 0 else j + 1
    m = re.match(r"(if|while|for|switch)\s*\(", text[i:])
    if m:
        p = i + m.end() - 1
        q = match_brace(text, p)
        if q < 0:
            return n
        e = c_statement_end(text, q + 1)
        if m.group(1) == "if":
            k = e
            while k < n and text[k] in " \t\r\n":
                k += 1
            if text.startswith("else", k) and not re.match(r"\w", text[k + 4:k + 5]):
                e = c_statement_end(text, k + 4)
        return e
    depth = 0
    j = i
    while j < n:
        c = text[j]
        if c in "\"'":
            k = j + 1
            while k < n and text[k] != c:
                if text[k] == "\\":
                    k += 1
                k += 1
            j = k + 1
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
            if depth < 0:
                return j
        elif c == ";" and depth == 0:
            return j + 1
        j += 1
    return n


def enclosing_if(text: str, pos: int) -> tuple[int, int] | None:
    """(start of the if keyword, end of its condition) of the if whose condition
    holds pos."""
    for m in reversed(list(re.finditer(r"\bif\s*\(", text[:pos]))):
        p = m.end() - 1
        q = match_brace(text, p)
        if q > pos:
            return m.start(), q + 1
    return None


def skip_ws(text: str, k: int) -> int:
    while k < len(text) and text[k] in " \t\r\n":
        k += 1
    return k


def final_else(text: str, k: int) -> str:
    """The last else branch of an if/else if chain whose first else starts at k."""
    while True:
        k = skip_ws(text, k)
        m = re.match(r"if\s*\(", text[k:])
        if not m:
            return text[k:c_statement_end(text, k)]
        q = match_brace(text, k + m.end() - 1)
        if q < 0:
            return ""
        e = c_statement_end(text, q + 1)
        k2 = skip_ws(text, e)
        if not (text.startswith("else", k2) and not re.match(r"\w", text[k2 + 4:k2 + 5])):
            return ""
        k = k2 + 4


def rejects_at_once(seg: str, rejects) -> bool:
    """Whether the first statement of SEG (of the block SEG is) gives the
    invalid answer (a log of it, a goto to a label that gives it, or a return
    of it)."""
    seg = seg.strip()
    if seg.startswith("{"):
        seg = seg[1:]
    k = skip_ws(seg, 0)
    first = seg[k:c_statement_end(seg, k)] if k < len(seg) else ""
    if re.match(r"(if|for|while|switch|do)\b", first):
        return False
    return bool(first) and rejects(first)


def param_info(signature: str, body: str) -> ParamInfo:
    params = []
    for part in split_top(signature):
        m = re.search(r"(\w+)\s*(?:\[\s*\])?\s*$", part)
        params.append(m.group(1) if m else "")
    arrays = set(RE_ELTS.findall(body))
    names = arrays | {p for p in params if p}
    invalid_labels = set()
    refusal_labels = set()
    for m in RE_LABEL.finditer(body):
        if m.group(1) in ("default", "case"):
            continue
        seg = body[m.end():]
        r = re.search(r"\breturn\b[^;]*;", seg)
        seg = seg[:r.end() if r else len(seg)]
        if RE_INVALID.search(seg):
            invalid_labels.add(m.group(1))
        if RE_INVALID.search(seg) or RE_REFUSAL.search(seg):
            refusal_labels.add(m.group(1))
    invalid = bool(RE_INVALID.search(body)) or bool(
        invalid_labels and any(g in invalid_labels for g in RE_GOTO.findall(body)))

    def rejects(text: str) -> bool:
        return bool(RE_INVALID.search(text) or RE_REFUSAL.search(text)) or any(
            g in refusal_labels for g in RE_GOTO.findall(text))

    loops = []  # (var, start, body start, body end)
    for m in RE_FOR.finditer(body):
        p = body.find("(", m.start())
        q = match_brace(body, p)
        if q < 0:
            continue
        loops.append((m.group(1), m.group(2).strip(), q + 1, c_statement_end(body, q + 1)))

    groups: dict[tuple, list] = {}
    for m in RE_CMP.finditer(body):
        arr, idx, lit = m.group(2), m.group(3).strip(), m.group(4)
        if arr not in names:
            continue
        if re.fullmatch(r"\d+", idx):
            key = (arr, int(idx), 0, len(body))
        else:
            inner = [lp for lp in loops if lp[0] == idx and lp[2] <= m.start() < lp[3]]
            if not inner:
                continue
            lp = inner[-1]
            if not re.fullmatch(r"\d+", lp[1]):
                key = (arr, None, lp[2], lp[3])
            else:
                key = (arr, ("loop", int(lp[1])), lp[2], lp[3])
        prefix = bool(m.group(1))
        forms = [lit]
        close = match_brace(body, body.index("(", m.start()))
        tail = body[close + 1:close + 80] if close >= 0 else ""
        neg = bool(re.match(r"\s*!=\s*0\b", tail))
        if prefix and not lit.endswith("=") and re.match(
                r"[^{;]*\.\s*data\s*\[\s*%d\s*\]\s*==\s*'='" % len(lit), tail):
            forms = [lit, lit + "="]        # "gzip" or "gzip=..."
            prefix = False
        groups.setdefault(key, []).append((m.start(), tuple(forms), prefix, neg))
    comps = []
    for key, items in groups.items():
        arr, where, s0, s1 = key
        # a word matching none of the literals must be answered at once: by
        # the then branch of a "!= 0" test, else by the else branch of the if
        # of the last comparison, or by the statement that follows that if
        rejected = False
        last = max(p for p, _, _, _ in items)
        ei = enclosing_if(body, last)
        if ei is not None and where is not None:
            seg = ""
            if any(neg for p, _, _, neg in items if p == last):
                seg = body[ei[1]:c_statement_end(body, ei[1])]
            else:
                e = c_statement_end(body, ei[1])
                k = skip_ws(body, e)
                if body.startswith("else", k) and not re.match(r"\w", body[k + 4:k + 5]):
                    seg = final_else(body, k + 4)
                elif k < s1:
                    seg = body[k:c_statement_end(body, k)]
            rejected = rejects_at_once(seg, rejects)
        for p, forms, prefix, neg in sorted(items):
            comps.append((arr, where, forms, prefix, rejected))
        invalid = invalid or rejected

    calls = []
    for m in RE_CALL.finditer(body):
        name = m.group(1)
        if name in ("if", "for", "while", "switch", "return", "sizeof") or \
                name.startswith("ngx_str") or name == "ngx_conf_log_error":
            continue
        p = m.end() - 1
        q = match_brace(body, p)
        if q < 0:
            continue
        for k, arg in enumerate(split_top(body[p + 1:q])):
            am = re.fullmatch(r"&\s*(\w+)\s*\[\s*(\d+)\s*\]|(\w+)", arg.strip())
            if not am:
                continue
            arr = am.group(1) or am.group(3)
            if arr in names and arr != "cf":
                calls.append((name, k, arr, int(am.group(2) or 0)))
    return ParamInfo(tuple(params), frozenset(arrays), tuple(comps), tuple(calls), invalid)


def max_words(args: list[str]) -> int | None:
    """The most words a directive of these argument flags takes; None: no limit."""
    most = 0
    for a in args:
        if a in ("1more", "2more", "any"):
            return None
        if a == "flag":
            most = max(most, 1)
        m = re.fullmatch(r"take(\d)", a)
        if m:
            most = max(most, int(m.group(1)))
    return most


def params_of(func: str, scopes: list[dict], maxargs: int | None) -> str:
    """The params column of a directive whose set function is FUNC: POS;WORDS, or -."""
    found = []      # (word index or None, word forms, prefix, rejected)
    invalid = [False]

    def info(f):
        for sc in scopes:
            if f in sc:
                return sc[f]
        return None

    def walk(f, arr, offset, depth, seen):
        pi = info(f)
        if pi is None or (f, arr, offset) in seen:
            return
        seen = seen | {(f, arr, offset)}
        if pi.invalid:
            invalid[0] = True
        for a, where, forms, prefix, rejected in pi.comps:
            if a != arr:
                continue
            if where is None:
                idx = None
            elif isinstance(where, tuple):
                idx = ("loop", where[1] + offset)
            else:
                idx = where + offset
            found.append((idx, forms, prefix, rejected))
        if depth >= 3:
            return
        for callee, k, a, off in pi.calls:
            if a != arr:
                continue
            ci = info(callee)
            if ci is None or k >= len(ci.params) or not ci.params[k]:
                continue
            walk(callee, ci.params[k], offset + off, depth + 1, seen)

    top = info(func)
    if top is None:
        return "-"
    for arr in sorted(top.arrays):
        walk(func, arr, 0, 0, frozenset())
    if not found or not invalid[0]:
        return "-"
    def first(idx):
        return idx[1] if isinstance(idx, tuple) else idx

    # POS: the rejecting groups start after it, every group from there on
    # rejects, and the groups before it are special values of the leading
    # arguments (allow's "all", access_log's "off"), not parameters
    pos = None
    rej = [first(i) for i, _, _, r in found if r and i is not None]
    if rej and all(i is not None for i, _, _, _ in found):
        p = min(rej)
        covered = set()
        loop_from = None
        for i, _, _, r in found:
            if isinstance(i, tuple):
                loop_from = i[1] if loop_from is None else min(loop_from, i[1])
            else:
                covered.add(i)
        # every word the directive can have after POS is a parameter word
        last = maxargs if maxargs is not None else (loop_from or p)
        full = all(k in covered or (loop_from is not None and k >= loop_from)
                   for k in range(p, last + 1)) and (maxargs is not None or
                                                      loop_from is not None)
        if full and all(r for i, _, _, r in found if first(i) >= p) and \
                all(not isinstance(i, tuple) for i, _, _, r in found if first(i) < p):
            pos = p - 1
    words = []
    for idx, forms, prefix, rejected in found:
        if pos is not None and first(idx) <= pos:
            continue
        for w in forms:
            if prefix:
                if "=" in w:
                    w = w[:w.index("=") + 1]
                elif not w.endswith("="):
                    w += "*"
            if w not in words:
                words.append(w)
    pos = "-" if pos is None else str(pos)
    return "%s;%s" % (pos, "|".join(words))


RE_OFF_BEFORE = re.compile(r"==\s*(?:NULL|0)\b")
RE_READS_WORDS = re.compile(r"\bvalue\s*\[|\bfor\s*\(|\bwhile\s*\(")


def dup_kind(body: str) -> int:
    """0: the body never answers "is duplicate"; 2: it does before it reads a word of the
    directive or loops (`if (conf->x != NGX_CONF_UNSET) return "is duplicate";`), so every
    second occurrence is refused; 1: only after (`limit_req` of the same zone, `mirror`
    beside `off`), so whether a repeat is refused depends on its words."""
    at = body.find('"is duplicate"')
    if at < 0:
        return 0
    if RE_READS_WORDS.search(body[:at]):
        return 1
    # The test it answers: "already set" (`!= NGX_CONF_UNSET`, `if (conf->x)`) refuses every
    # repeat; "set to off before" (`== NULL`, `== 0`) only a repeat after `off`.
    cond = body.rfind("if (", 0, at)
    if cond >= 0:
        close = match_brace(body, cond + 3)
        if close > 0 and RE_OFF_BEFORE.search(body[cond:close]):
            return 1
    return 2


def is_dup(func: str, scopes: list[dict], seen: frozenset = frozenset()) -> int | None:
    """How a second call of set function FUNC for the same configuration answers
    "is duplicate" (dup_kind()): from its body, or from the one it hands over to.
    None when the function is not found."""
    for sc in scopes:
        if func in sc:
            kind, dels = sc[func]
            found = [is_dup(d, scopes, seen | {func}) for d in dels if d not in seen]
            return max([kind] + [k for k in found if k is not None])
    return None


class Tree:
    """All C files of one source tree (a tag of nginx, or a module's HEAD)."""

    def __init__(self, files: list[tuple[str, CFile]]):
        self.files = files
        self.defines: dict[str, str] = {}
        self.funcs: dict[str, tuple[int, tuple[str, ...]]] = {}
        self.enums: dict[str, list[str]] = {}
        self.bitmasks: dict[str, list[str]] = {}
        self.pfuncs: dict[str, ParamInfo] = {}
        for _, cf in files:
            for k, v in cf.defines.items():
                self.defines.setdefault(k, v)
            for k, v in cf.pfuncs.items():
                self.pfuncs.setdefault(k, v)
            for k, v in cf.funcs.items():
                old = self.funcs.get(k, (0, ()))
                self.funcs[k] = (max(old[0], v[0]), tuple(sorted(set(old[1]) | set(v[1]))))
            for k, v in cf.enums.items():
                self.enums.setdefault(k, v)
            for k, v in cf.bitmasks.items():
                self.bitmasks.setdefault(k, v)


def load_tree(repo: Repo, rev: str, cache: dict, keep) -> Tree:
    files = []
    for path, sha in repo.ls_tree(rev):
        if not keep(path):
            continue
        cf = cache.get(sha)
        if cf is None:
            cf = CFile(repo.blob(sha))
            cache[sha] = cf
        files.append((path, cf))
    return Tree(files)


def eval_macro(token: str, defines: list[dict], seen: frozenset = frozenset()) -> int | None:
    if re.fullmatch(r"0[xX][0-9a-fA-F]+|\d+", token):
        return int(token, 0)
    if token in seen:
        return None
    for d in defines:
        if token in d:
            return eval_expr(d[token], defines, seen | {token})
    return None


def eval_expr(expr: str, defines: list[dict], seen: frozenset = frozenset()) -> int | None:
    expr = expr.strip()
    while expr.startswith("(") and match_brace(expr, 0) == len(expr) - 1:
        expr = expr[1:-1].strip()
    total = 0
    for part in split_top(expr, "|"):
        part = part.strip()
        while part.startswith("(") and match_brace(part, 0) == len(part) - 1:
            part = part[1:-1].strip()
        if "|" in part:
            v = eval_expr(part, defines, seen)
        else:
            v = eval_macro(part, defines, seen)
        if v is None:
            return None
        total |= v
    return total


# ---------------------------------------------------------------------------
# Commands to rows.

def command_rows(tree: Tree, fallback: Tree | None, where: str, report: dict) -> list[dict]:
    """One dict per command of every module of the tree."""
    defines = [tree.defines] + ([fallback.defines] if fallback else [])
    rows = []
    arrays_global = {}
    for path, cf in tree.files:
        for an in cf.commands:
            arrays_global.setdefault(an, (path, cf))
    for path, cf in tree.files:
        for module, arr, mtype in cf.modules:
            if arr == "NULL":
                continue
            if arr in cf.commands:
                acf = cf
            elif arr in arrays_global:
                acf = arrays_global[arr][1]
            else:
                warn("%s: commands %s of %s not found" % (where, arr, module))
                continue
            if mtype not in TYPE_CONTEXT_BITS:
                warn("%s: module %s has unknown type %s" % (where, module, mtype))
                continue
            for cmd in acf.commands[arr]:
                rows.append(make_row(cmd, module, mtype, acf, tree, fallback,
                                     defines, where, report))
    return rows


def make_row(cmd, module, mtype, cf, tree, fallback, defines, where, report):
    tokens = [t.strip().strip("()").strip() for t in split_top(cmd["type"], "|")]
    value = 0
    for t in tokens:
        v = eval_expr(t, defines)
        if v is None:
            warn("%s: %s %s: cannot resolve %r" % (where, module, cmd["name"], t))
            continue
        value |= v
        for prefix, fam in MACRO_FAMILY.items():
            if t.startswith(prefix) and t.endswith("_CONF") and fam != mtype:
                report.setdefault("family", set()).add(
                    "%s %s (%s) uses %s" % (module, cmd["name"], mtype, t))
    ctx = set()
    high = value & 0xFFFF0000
    if high & NGX_ANY_CONF == NGX_ANY_CONF:
        ctx.add("any")
        high &= ~NGX_ANY_CONF
    if high & NGX_DIRECT_CONF:
        ctx.add("direct")
        high &= ~NGX_DIRECT_CONF
    if high & NGX_MAIN_CONF:
        ctx.add("main")
        high &= ~NGX_MAIN_CONF
    table = TYPE_CONTEXT_BITS[mtype]
    for bit, name in table.items():
        if high & bit:
            ctx.add(name)
            high &= ~bit
    if high:
        warn("%s: %s %s: context bits 0x%08x mean nothing in %s" % (
            where, module, cmd["name"], high, mtype))
    args = [name for bit, name in ARG_BITS if value & bit]
    low = value & 0xFFFF & ~sum(b for b, _ in ARG_BITS)
    if low:
        warn("%s: %s %s: unknown argument bits 0x%x" % (where, module, cmd["name"], low))

    setf = cmd["set"]
    kind = SLOT_KINDS.get(setf, "custom")
    if kind in ("enum", "bitmask"):
        src = cf.enums if kind == "enum" else cf.bitmasks
        glob = tree.enums if kind == "enum" else tree.bitmasks
        post = cmd["post"]
        vals = None
        if post:
            vals = src.get(post)
            if vals is None:
                vals = glob.get(post)
            if vals is None and fallback is not None:
                vals = (fallback.enums if kind == "enum" else fallback.bitmasks).get(post)
        if vals is None:
            warn("%s: %s %s: %s values %r not found" % (where, module, cmd["name"], kind, post))
            vals = []
        kind = kind + ":" + "|".join(vals)

    params = "-"
    if kind == "custom":
        params = params_of(setf, [cf.pfuncs, tree.pfuncs] +
                           ([fallback.pfuncs] if fallback else []), max_words(args))

    dup = is_dup(setf, [cf.funcs, tree.funcs] + ([fallback.funcs] if fallback else []))
    if dup is None:
        warn("%s: %s %s: set function %s not found" % (where, module, cmd["name"], setf))
        dup = 0

    return {
        "name": cmd["name"],
        "module": module,
        "mtype": mtype,
        "contexts": ",".join(c for c in CONTEXT_ORDER if c in ctx),
        "args": ",".join(args),
        "kind": kind,
        "dup": {2: "yes", 1: "some"}.get(dup, "no"),
        "params": params,
    }


# ---------------------------------------------------------------------------
# nginx's configure scripts: which modules a build has.

def sh_words(s: str) -> list[str]:
    try:
        return shlex.split(s)
    except ValueError:
        return s.split()


def parse_options(text: str) -> tuple[dict, dict]:
    """auto/options: default variable values, and option -> assignments."""
    defaults: dict[str, str] = {}
    head = text.split("\nfor option", 1)[0]
    for line in head.split("\n"):
        m = re.match(r"^([A-Z_][A-Z0-9_]*)=(\S*)\s*$", line)
        if m:
            defaults[m.group(1)] = m.group(2).strip('"')
    opts: dict[str, list[tuple[str, str]]] = {}
    body = text.split("\nfor option", 1)[1] if "\nfor option" in text else ""
    # case arms: "  --opt)  VAR=VAL ;;" possibly over several lines
    for m in re.finditer(r"(?m)^\s*(--[\w\-=.*]+)\)((?:.|\n)*?);;", body):
        opt = m.group(1)
        assigns = re.findall(r"\b([A-Z_][A-Z0-9_]*)=([A-Z]+|\"\$value\"|\S+?)(?=\s|;|$)",
                             m.group(2))
        opts[opt] = [(k, v.strip('"')) for k, v in assigns]
    return defaults, opts


def parse_sources_vars(text: str) -> dict[str, list[str]]:
    """auto/sources: X_MODULE=name and X_MODULES="a b" assignments."""
    res = {}
    for m in re.finditer(r'(?m)^([A-Z_][A-Z0-9_]*_MODULES?)=("[^"]*"|\S+)', text):
        val = m.group(2).strip('"')
        res[m.group(1)] = [w for w in val.split() if not w.startswith("$")]
    return res


class ShellSim:
    """A tiny interpreter for the if/elif/else/fi and assignments of
    auto/modules, enough to know which ngx_module_name lines a configuration
    reaches."""

    def __init__(self, env: dict, source_vars: dict):
        self.env = dict(env)
        self.source_vars = source_vars
        self.reached: dict[str, bool] = {}  # module -> reached (True) or seen unreached

    def cond(self, expr: str) -> bool:
        expr = expr.strip()
        if expr == ":":
            return True
        m = re.match(r"^\[\s*(.*?)\s*\]$", expr)
        if not m:
            return False
        words = sh_words(m.group(1))
        # split on -o, then -a
        def atom(ws):
            if len(ws) == 3 and ws[1] in ("=", "!="):
                a, b = self.expand(ws[0]), self.expand(ws[2])
                return (a == b) if ws[1] == "=" else (a != b)
            if len(ws) == 2 and ws[0] in ("-n", "-z"):
                v = self.expand(ws[1])
                return bool(v) if ws[0] == "-n" else not v
            return False
        def conj(ws):
            parts, cur = [], []
            for w in ws:
                if w == "-a":
                    parts.append(cur)
                    cur = []
                else:
                    cur.append(w)
            parts.append(cur)
            return all(atom(p) for p in parts)
        alts, cur = [], []
        for w in words:
            if w == "-o":
                alts.append(cur)
                cur = []
            else:
                cur.append(w)
        alts.append(cur)
        return any(conj(a) for a in alts)

    def expand(self, w: str) -> str:
        return re.sub(r"\$\{?([A-Za-z_]\w*)\}?", lambda m: self.env.get(m.group(1), ""), w)

    def note(self, module: str, live: bool) -> None:
        self.reached[module] = self.reached.get(module, False) or live

    def run(self, text: str) -> None:
        lines = text.split("\n")
        # join continuation lines
        joined, buf = [], ""
        for line in lines:
            if line.rstrip().endswith("\\"):
                buf += line.rstrip()[:-1] + " "
                continue
            joined.append(buf + line)
            buf = ""
        stack: list[list[bool]] = []  # [this branch live, some branch taken, parent live]
        live = True
        for raw in joined:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            m = re.match(r"^if\s+(.*?);\s*then$", line)
            if m:
                c = live and self.cond(m.group(1))
                stack.append([c, c, live])
                live = c
                continue
            m = re.match(r"^elif\s+(.*?);\s*then$", line)
            if m and stack:
                top = stack[-1]
                c = top[2] and not top[1] and self.cond(m.group(1))
                top[0] = c
                top[1] = top[1] or c
                live = c
                continue
            if line == "else" and stack:
                top = stack[-1]
                c = top[2] and not top[1]
                top[0] = c
                top[1] = True
                live = c
                continue
            if line == "fi" and stack:
                top = stack.pop()
                live = top[2]
                continue
            m = re.match(r"^([A-Za-z_]\w*)=(.*)$", line)
            if m:
                var, val = m.group(1), m.group(2).strip()
                if val.startswith('"') and val.endswith('"'):
                    val = val[1:-1]
                if var == "ngx_module_name":
                    for w in val.split():
                        if w.startswith("$"):
                            continue
                        self.note(w, live)
                else:
                    for ref in re.findall(r"\$([A-Z_][A-Z0-9_]*_MODULE)\b", val):
                        for mod in self.source_vars.get(ref, []):
                            self.note(mod, live)
                if live:
                    self.env[var] = self.expand(val)
                continue


class Builds:
    def __init__(self, repo: Repo, tag: str):
        self.repo = repo
        self.tag = tag
        options = repo.show(tag, "auto/options") or ""
        self.modules_text = repo.show(tag, "auto/modules") or ""
        sources = repo.show(tag, "auto/sources") or ""
        self.defaults, self.options = parse_options(options)
        self.source_vars = parse_sources_vars(sources)
        self.always = set(self.source_vars.get("CORE_MODULES", []) +
                          self.source_vars.get("EVENT_MODULES", []))
        # event method modules chosen by platform (auto/os/*, auto/unix)
        self.platform: dict[str, set[str]] = defaultdict(set)
        self.platform_env: dict[str, dict] = defaultdict(dict)
        for path, _ in repo.ls_tree(tag, "auto"):
            if not (path.startswith("auto/os/") or path == "auto/unix"):
                continue
            text = repo.show(tag, path) or ""
            if re.search(r"(?m)^\s*EVENT_FOUND=YES\s*$", text):
                self.platform_env[path]["EVENT_FOUND"] = "YES"
            for ref in re.findall(r'EVENT_MODULES="\$EVENT_MODULES \$([A-Z_]+_MODULE)"', text):
                for mod in self.source_vars.get(ref, []):
                    self.platform[path].add(mod)
        sim = ShellSim(self.defaults, self.source_vars)
        sim.run(self.modules_text)
        self.default_reached = sim.reached

    def classify(self, module: str) -> str | None:
        if module in self.always:
            return "default"
        for mods in self.platform.values():
            if module in mods:
                return "default"
        if module in self.default_reached:
            return "default" if self.default_reached[module] else "with"
        return None

    def preset(self, args: list[str], platform: str = "auto/os/linux") -> tuple[list[str], list[str]]:
        """Modules of ./configure ARGS on a platform; and arguments not understood."""
        env = dict(self.defaults)
        env.update(self.platform_env.get(platform, {}))
        unknown = []
        for a in args:
            key = a
            if a not in self.options:
                if "=" in a and (a.split("=", 1)[0] + "=*") in self.options:
                    key = a.split("=", 1)[0] + "=*"
                else:
                    unknown.append(a)
                    continue
            for var, val in self.options[key]:
                env[var] = a.split("=", 1)[1] if val == "$value" else val
        sim = ShellSim(env, self.source_vars)
        sim.run(self.modules_text)
        mods = set(self.always) | self.platform.get(platform, set())
        mods |= {m for m, live in sim.reached.items() if live}
        return sorted(mods), unknown


# ---------------------------------------------------------------------------
# nginx.org documentation.

ENTITIES = {"nbsp": "\u00a0", "mdash": "\u2014", "ndash": "\u2013", "ldquo": "\u201c",
            "rdquo": "\u201d", "lsquo": "\u2018", "rsquo": "\u2019", "times": "\u00d7",
            "laquo": "\u00ab", "raquo": "\u00bb", "hellip": "\u2026", "copy": "\u00a9"}
XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}


def docs_text(el) -> str:
    return "".join(el.itertext())


def norm_space(s: str) -> str:
    return " ".join(s.split())


class DocDirective:
    def __init__(self, doc: str, family: str, el, module_plus: bool):
        self.doc = doc
        self.family = family
        self.name = el.get("name")
        # A default of several lines (types) is joined into one with spaces; several
        # <default> elements (proxy_set_header) are joined with " | ".
        values = []
        for d in el.findall("default"):
            lines = [ln.strip() for ln in docs_text(d).replace("\u00a0", " ").split("\n")]
            v = " ".join(ln for ln in lines if ln)
            if v and v.lower() != "none":
                values.append(v)
        self.default = " | ".join(values) or "(none)"
        self.contexts = [norm_space(docs_text(c)) for c in el.findall("context")]
        self.block = any(s.get("block") == "yes" or "{" in docs_text(s)
                         for s in el.findall("syntax"))
        self.plus = module_plus
        for p in el.iter():
            if p.tag in ("para", "note"):
                t = norm_space(docs_text(p))
                if re.match(r"^This (directive|functionality) is available as part of our "
                            r"commercial subscription\.?$", t):
                    self.plus = True


def load_docs(repo: Repo) -> tuple[dict, list[str]]:
    """docs[(doc module, directive)] -> DocDirective; and files not parsed."""
    docs = {}
    skipped = []
    for path, sha in repo.ls_tree("HEAD", "xml/en/docs"):
        if not path.endswith(".xml"):
            continue
        text = repo.blob(sha)
        if "<directive" not in text:
            continue
        text = re.sub(r"<!DOCTYPE[^>]*>", "", text)
        text = re.sub(r"&([A-Za-z]+);",
                      lambda m: m.group(0) if m.group(1) in XML_ENTITIES
                      else ENTITIES.get(m.group(1), m.group(0)), text)
        try:
            root = ET.fromstring(text)
        except ET.ParseError as e:
            skipped.append("%s (%s)" % (path, e))
            continue
        doc = os.path.basename(path)[:-4]
        rel = path[len("xml/en/docs/"):]
        family = rel.split("/")[0] if "/" in rel else "core"
        module_plus = False
        for sec in root.iter("section"):
            if sec.get("id") != "summary":
                continue
            for p in sec.iter():
                if p.tag in ("para", "note"):
                    t = norm_space(docs_text(p))
                    if re.match(r"^This module is available as part of our commercial subscription\.?$", t):
                        module_plus = True
        for el in root.iter("directive"):
            dd = DocDirective(doc, family, el, module_plus)
            docs[(doc, dd.name)] = dd
    return docs, skipped


def module_family(module: str) -> str:
    for fam in ("http", "stream", "mail"):
        if module.startswith("ngx_%s_" % fam):
            return fam
    return "core"


def doc_for(module: str, name: str, docs: dict, third_party: bool) -> DocDirective | None:
    """The documentation entry of directive NAME of source module MODULE."""
    cands = [module, module.replace("_filter_module", "_module"),
             module.replace("_core_module", "_module")]
    if third_party:
        for c in cands:
            if (c, name) in docs:
                return docs[(c, name)]
        return None
    fam = module_family(module)
    if module.startswith("ngx_http_upstream_"):
        cands.append("ngx_http_upstream_module")
    if module.startswith("ngx_stream_upstream_"):
        cands.append("ngx_stream_upstream_module")
    if fam != "core":
        cands.append("ngx_%s_core_module" % fam)
    cands.append("ngx_core_module")
    for c in cands:
        if (c, name) in docs:
            return docs[(c, name)]
    same = sorted(d for (d, n) in docs if n == name and docs[(d, n)].family == fam)
    if len(same) == 1:
        return docs[(same[0], name)]
    # a core module's directive documented with the protocol it serves
    # (quic_bpf of ngx_quic_bpf_module is on the ngx_http_v3_module page)
    anywhere = sorted(d for (d, n) in docs if n == name)
    if fam == "core" and len(anywhere) == 1:
        return docs[(anywhere[0], name)]
    return None


PLUS_CONTEXTS = {
    "http": lambda f: ["http"],
    "stream": lambda f: ["stream"],
    "mail": lambda f: ["mail"],
    "main": lambda f: ["main"],
    "events": lambda f: ["events"],
    "server": lambda f: {"http": ["http_srv"], "stream": ["stream_srv"],
                         "mail": ["mail_srv"]}.get(f, []),
    "location": lambda f: ["http_loc"],
    "upstream": lambda f: {"http": ["http_ups"], "stream": ["stream_ups"]}.get(f, []),
    "if in location": lambda f: ["http_lif"],
    "if in server": lambda f: ["http_sif"],
    "if": lambda f: ["http_sif", "http_lif"],
    "limit_except": lambda f: ["http_lmt"],
}


# ---------------------------------------------------------------------------
# Versions.

def version_key(tag: str) -> tuple:
    return tuple(int(x) for x in tag[len("release-"):].split("."))


def ranges(indices: set[int], releases: list[str]) -> str:
    idx = sorted(indices)
    out = []
    start = prev = idx[0]
    for i in idx[1:] + [None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        a = releases[start]
        b = "" if prev == len(releases) - 1 else releases[prev]
        out.append("%s-%s" % (a, b))
        if i is not None:
            start = prev = i
    return ",".join(out)


# ---------------------------------------------------------------------------
# Main.

def keep_nginx(path: str) -> bool:
    return path.startswith("src/") and path.endswith((".c", ".h"))


def keep_third(path: str) -> bool:
    parts = path.split("/")
    if any(p in ("t", "test", "tests") for p in parts[:-1]):
        return False
    return path.endswith((".c", ".h"))


# Modules documented on nginx.org whose sources are repositories of their own; their rows
# come from the documentation (contexts; any number of arguments).
DOCS_ONLY_MODULES = {
    "ngx_http_acme_module": "nginx/nginx-acme",
    "ngx_otel_module": "nginx/nginx-otel",
}


def portable(command: str) -> str:
    """The command as anyone can run it: each clone's path is $CLONES/OWNER/NAME."""
    words = command.split(" ")
    out = []
    for k, w in enumerate(words):
        flag = words[k - 1] if k else ""
        if flag in ("--nginx", "--nginx-org", "--pkg-oss", "--third"):
            key, eq, path = w.rpartition("=") if flag == "--third" else ("", "", w)
            m = re.search(r"([A-Za-z0-9_.-]+)[+/]([A-Za-z0-9_.-]+?)(?:/repo)?/?$", path)
            if m:
                w = "%s%s$CLONES/%s/%s" % (key, eq, m.group(1), m.group(2))
        out.append(w)
    return " ".join(out)


def header_lines(title: str, command: str, sources: list[str]) -> list[str]:
    command = portable(command)
    out = ["# %s" % title,
           "# generated by tools/gen_tables/nginx.py; do not edit.",
           "# regenerate: %s" % command,
           "# sources (owner/name: commit read):"]
    out += ["#   " + s for s in sources]
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nginx", required=True, help="git directory of nginx/nginx")
    ap.add_argument("--nginx-org", required=True, help="git directory of nginx/nginx.org")
    ap.add_argument("--from", dest="from_tag", default="release-1.18.0",
                    help="oldest release tag to scan (default release-1.18.0)")
    ap.add_argument("--third", action="append", default=[], metavar="OWNER/NAME=PATH",
                    help="a third-party module's git directory, read at HEAD")
    ap.add_argument("--pkg-oss", help="git directory of nginx/pkg-oss (official preset)")
    ap.add_argument("--debian-nginx", help="an installed Debian nginx binary to run -V on "
                    "(debian-bookworm preset)")
    ap.add_argument("--out", help="directives table (default: standard output)")
    ap.add_argument("--builds-out", help="builds table (not written without it)")
    a = ap.parse_args(argv)

    command = "python3 tools/gen_tables/nginx.py " + shlex.join(argv)

    nginx = Repo(a.nginx, "nginx/nginx")
    org = Repo(a.nginx_org, "nginx/nginx.org")
    thirds = []
    for spec in a.third:
        name, _, path = spec.partition("=")
        if not path or name.count("/") != 1:
            ap.error("--third wants OWNER/NAME=PATH, not %r" % spec)
        thirds.append(Repo(path, name))

    # releases
    first = version_key(a.from_tag)
    tags = [t for t in nginx.git("tag", "--list", "release-*").split()
            if re.fullmatch(r"release-\d+\.\d+\.\d+", t) and version_key(t) >= first]
    tags.sort(key=version_key)
    if not tags:
        raise SystemExit("no release tags from %s" % a.from_tag)
    releases = [t[len("release-"):] for t in tags]
    newest = tags[-1]
    print("nginx.py: scanning %d releases %s .. %s" % (len(tags), tags[0], newest),
          file=sys.stderr)

    report: dict = {}
    cache: dict = {}
    versions: dict[tuple, set[int]] = defaultdict(set)
    newest_tree = None
    module_seen_tag: dict[str, int] = {}
    defined_by_tag: dict[str, set] = {}
    for i, tag in enumerate(tags):
        tree = load_tree(nginx, tag, cache, keep_nginx)
        by_name: dict[tuple, set] = defaultdict(set)
        for r in command_rows(tree, None, tag, report):
            key = (r["name"], r["module"], r["contexts"], r["args"], r["kind"], r["dup"],
                   r["params"])
            by_name[key[:2]].add(key)
            if len(by_name[key[:2]]) > 1:
                report.setdefault("twice", set()).add("%s %s in %s" % (r["name"], r["module"], tag))
            versions[key].add(i)
            module_seen_tag[r["module"]] = i
        defined_by_tag[tag] = {m for _, cf in tree.files for m, _, _ in cf.modules}
        if i == len(tags) - 1:
            newest_tree = tree

    builds = Builds(nginx, newest)
    build_of = {}
    for mod in sorted({k[1] for k in versions}):
        b = builds.classify(mod)
        if b is None:
            # gone by the newest tag: ask the configure scripts of its last tag
            old = Builds(nginx, tags[module_seen_tag[mod]])
            b = old.classify(mod)
            if b is None:
                warn("module %s is not named by auto/ at %s; taken as with" % (mod, newest))
                b = "with"
            else:
                report.setdefault("oldbuild", set()).add(
                    "%s: %s (from %s)" % (mod, b, tags[module_seen_tag[mod]]))
        build_of[mod] = b

    docs, skipped_docs = load_docs(org)
    for s in skipped_docs:
        report.setdefault("skipped_docs", set()).add(s)

    out_rows = []
    matched_docs = set()
    for key, idx in versions.items():
        name, module, contexts, args, kind, dup, params = key
        d = doc_for(module, name, docs, False)
        if d is not None:
            matched_docs.add((d.doc, name))
        out_rows.append({
            "name": name, "module": module, "build": build_of[module],
            "contexts": contexts, "args": args, "kind": kind, "dup": dup,
            "default": d.default if d else "",
            "versions": ranges(idx, releases), "params": params,
            "_first": min(idx),
        })

    # third-party modules
    third_sources = []
    for repo in thirds:
        head = repo.rev("HEAD")
        third_sources.append("%s: %s (HEAD)" % (repo.name, head))
        tree = load_tree(repo, "HEAD", {}, keep_third)
        seen = set()
        rows = command_rows(tree, newest_tree, repo.name, report)
        if not rows:
            warn("%s: no directives found" % repo.name)
        for r in rows:
            key = (r["name"], r["module"], r["contexts"], r["args"], r["kind"], r["dup"],
                   r["params"])
            if key in seen:
                continue
            seen.add(key)
            d = doc_for(r["module"], r["name"], docs, True)
            if d is not None:
                matched_docs.add((d.doc, r["name"]))
            out_rows.append({
                "name": r["name"], "module": r["module"],
                "build": "third-party:%s" % repo.name,
                "contexts": r["contexts"], "args": r["args"], "kind": r["kind"],
                "dup": r["dup"], "default": d.default if d else "", "versions": "*",
                "params": r["params"], "_first": -1,
            })

    # NGINX Plus: documented as commercial, and in no source read. Modules that nginx.org
    # documents and ships as packages from repositories of their own (not C sources read
    # here) come in the same way, as third-party rows of their repository.
    unmatched = []
    for (doc, name), d in sorted(docs.items()):
        if (doc, name) in matched_docs:
            continue
        own_repo = DOCS_ONLY_MODULES.get(doc)
        if not d.plus and not own_repo:
            unmatched.append("%s %s" % (doc, name))
            continue
        ctx = set()
        for c in d.contexts:
            f = PLUS_CONTEXTS.get(c)
            got = f(d.family) if f else []
            if not got:
                report.setdefault("plus_block", set()).add("%s %s: %s" % (doc, name, c))
            ctx.update(got)
        out_rows.append({
            "name": name, "module": doc,
            "build": "third-party:%s" % own_repo if own_repo and not d.plus else "plus",
            "contexts": ",".join(c for c in CONTEXT_ORDER if c in ctx),
            "args": "any,block" if d.block else "any", "kind": "custom", "dup": "no",
            "default": d.default, "versions": "*", "params": "-", "_first": -1,
        })
    report["undocumented_elsewhere"] = unmatched

    out_rows.sort(key=lambda r: (r["name"], r["module"], r["_first"], r["versions"],
                                 r["build"], r["contexts"], r["args"], r["kind"],
                                 r["params"]))

    # header
    sources = ["nginx/nginx: every release tag %s .. %s (%d releases); newest %s = %s" % (
        tags[0], newest, len(tags), newest, nginx.rev(newest)),
        "nginx/nginx.org: %s (HEAD)" % org.rev("HEAD")] + third_sources
    lines = header_lines("nginx directives, one row per distinct set of attributes",
                         command, sources)
    lines.append("# releases scanned, in the order the versions column counts them:")
    for k in range(0, len(releases), 16):
        lines.append("#   " + " ".join(releases[k:k + 16]))
    lines += [
        "# columns:",
        "#   name      directive name",
        "#   module    ngx_module_t variable (NGINX Plus rows: the nginx.org page's module)",
        "#   build     default (built unless --without-...), with (needs --with-... or is a",
        "#             dynamic module of nginx/nginx), third-party:OWNER/NAME, plus (NGINX Plus only)",
        "#   contexts  comma list of: " + " ".join(CONTEXT_ORDER),
        "#             (empty for NGINX Plus directives allowed only inside a block of",
        "#             NGINX Plus's own, such as mgmt or oidc_provider)",
        "#   args      comma list of: " + " ".join(n for _, n in ARG_BITS),
        "#   kind      flag msec sec size off bufs num str str_array keyval path access",
        "#             enum:V|V... bitmask:V|V... custom (from the set function)",
        "#   dup       yes: every second occurrence on the same level is \"... directive is duplicate\":",
        "#             the set function's body answers \"is duplicate\" before it reads a word of the",
        "#             directive, or at its top level passes its (cf, cmd, conf) to such a function",
        "#             and returns that one's error; some: it answers so only after reading the",
        "#             words (a repeat of the same zone, `off` beside a value); no: never",
        "#             (NGINX Plus rows: no, not known)",
        "#   default   nginx.org's documented default, platform variants as written (4k|8k);",
        "#             (none) when documented without one; empty when not documented",
        "#   versions  comma list of ranges FIRST-LAST of consecutive scanned releases in version",
        "#             order; FIRST-  = still in the newest; * = third-party or plus",
        "#   params    POS;WORDS for a directive whose set function (or a function it hands the",
        "#             arguments to) compares its words with literals and answers a word that",
        "#             matches none with \"invalid ...\" (invalid parameter \"%V\", invalid value ...):",
        "#             WORDS = the literals, |-separated, in source order; a prefix (ngx_strncmp)",
        "#             ends in = (backlog=, cut after the =) or, when it has none, in * (shared:*);",
        "#             POS = how many leading arguments come before the parameter words, every",
        "#             later word being one of WORDS; - when the words are not all parameters",
        "#             (WORDS then lists every literal compared); - for every other directive",
    ]
    lines.append("\t".join(HEADER_COLUMNS))
    for r in out_rows:
        lines.append("\t".join(r[c] for c in HEADER_COLUMNS))
    text = "\n".join(lines) + "\n"
    if a.out:
        with open(a.out, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    else:
        sys.stdout.write(text)

    if a.builds_out:
        write_builds(a, command, nginx, newest, defined_by_tag)

    # summary to stderr
    counts = defaultdict(int)
    for r in out_rows:
        counts[r["build"]] += 1
    print("nginx.py: %d rows: %s" % (len(out_rows), ", ".join(
        "%s %d" % kv for kv in sorted(counts.items()))), file=sys.stderr)
    for k in ("family", "twice", "oldbuild", "skipped_docs", "plus_block"):
        for s in sorted(report.get(k, ())):
            print("nginx.py: note (%s): %s" % (k, s), file=sys.stderr)
    for s in report["undocumented_elsewhere"]:
        print("nginx.py: note (docs entry matched by no source, not plus): %s" % s,
              file=sys.stderr)
    return 0


# ---------------------------------------------------------------------------
# Builds table.

def makefile_var(text: str, var: str) -> list[str]:
    """Words of the first VAR= assignment (with continuations) of a Makefile."""
    m = re.search(r"(?m)^%s\s*=((?:.*\\\n)*.*)" % re.escape(var), text)
    if not m:
        return []
    return m.group(1).replace("\\\n", " ").split()


def config_args(words: list[str]) -> list[str]:
    """The --with-... and --without-... words of a configure line (quotes and shell
    punctuation around them removed), without the compiler and linker options."""
    res = []
    for w in words:
        w = w.strip("\"';")
        if re.fullmatch(r"--with(out)?-[\w\-]+(=[\w./\-]+)?", w) and \
                not w.startswith(("--with-cc-opt", "--with-ld-opt")):
            res.append(w)
    return res


def write_builds(a, command, nginx, newest, defined_by_tag):
    sources = []
    rows = []
    comments = []
    used_tags = set()

    def at(version: str | None, what: str):
        tag = "release-%s" % version if version else newest
        if tag not in defined_by_tag:
            comments.append("# %s: nginx %s is not among the scanned releases; %s used"
                            % (what, version, newest))
            tag = newest
        used_tags.add(tag)
        return Builds(nginx, tag), defined_by_tag[tag], tag

    def known(mods, defined):
        return [m for m in mods if m in defined], [m for m in mods if m not in defined]

    def dynamic_lines(builds, args, defined):
        out = []
        full = set(builds.preset(args)[0])
        for w in args:
            if not w.endswith("=dynamic"):
                continue
            rest = set(builds.preset([x for x in args if x != w])[0])
            extra = sorted(m for m in full - rest if m in defined)
            out.append("#   %s: %s" % (w, ",".join(extra)))
        return out

    # official: the nginx.org packages, which the official Docker image installs
    if a.pkg_oss:
        pkg = Repo(a.pkg_oss, "nginx/pkg-oss")
        sources.append("nginx/pkg-oss: %s (HEAD)" % pkg.rev("HEAD"))
        vtext = pkg.show("HEAD", "contrib/src/nginx/version") or ""
        vm = re.search(r"NGINX_VERSION\s*:?=\s*(\S+)", vtext)
        builds, defined, tag = at(vm.group(1) if vm else None, "official")
        base = {}
        for path in ("debian/Makefile", "alpine/Makefile", "rpm/SPECS/Makefile"):
            text = pkg.show("HEAD", path)
            if text is not None:
                base[path] = config_args(makefile_var(text, "BASE_CONFIGURE_ARGS"))
        deb = base.get("debian/Makefile", [])
        mods, unknown = builds.preset(deb)
        same = [p for p in sorted(base) if p != "debian/Makefile"
                and builds.preset(base[p])[0] == mods]
        other = [p for p in sorted(base) if p != "debian/Makefile" and p not in same]
        # dynamic module packages: those built from nginx's own source name
        # --with-...=dynamic options, the others add third-party sources
        dyn, third = [], []
        for path, sha in pkg.ls_tree("HEAD", "debian"):
            m = re.fullmatch(r"debian/Makefile\.module-([\w\-]+)", path)
            if not m:
                continue
            confargs = config_args(makefile_var(
                pkg.blob(sha), "MODULE_CONFARGS_" + m.group(1).replace("-", "_")))
            if confargs:
                extra = sorted(set(builds.preset(deb + confargs)[0]) - set(mods))
                dyn.append((m.group(1), [x for x in extra if x in defined]))
            else:
                third.append(m.group(1))
        allmods = set(mods)
        for _, extra in dyn:
            allmods |= set(extra)
        ok, gone = known(sorted(allmods), defined)
        rows.append(("official", ok))
        comments.append("# official: nginx.org's packages of nginx %s (the official Docker image "
                        "installs them); configure" % tag[len("release-"):])
        comments.append("#   arguments of pkg-oss debian/Makefile BASE_CONFIGURE_ARGS (%s: same "
                        "modules)%s:" % (", ".join(same) or "none other",
                                         "; differing: " + ", ".join(other) if other else ""))
        comments.append("#   " + " ".join(deb))
        comments.append("#   and the dynamic module packages pkg-oss builds from nginx's own "
                        "source (Makefile.module-*):")
        for name, extra in dyn:
            comments.append("#   nginx-module-%s: %s" % (name, ",".join(extra)))
        comments.append("#   not in the row: pkg-oss's third-party module packages "
                        + " ".join("nginx-module-" + t for t in third))
        if unknown:
            comments.append("#   arguments naming no module: " + " ".join(unknown))
        if gone:
            comments.append("#   named by auto/modules but not in the source: " + " ".join(gone))

    # debian-bookworm: what `nginx -V` of Debian's package says
    if a.debian_nginx:
        r = subprocess.run([a.debian_nginx, "-V"], capture_output=True)
        vtext = (r.stdout + r.stderr).decode(errors="replace")
        m = re.search(r"configure arguments:(.*)", vtext)
        ver = re.search(r"nginx version: nginx/(\S+)", vtext)
        pkgver = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "nginx"],
                                capture_output=True)
        pv = pkgver.stdout.decode().strip() if pkgver.returncode == 0 else "unknown"
        if not m:
            warn("no configure arguments from %s -V" % a.debian_nginx)
        else:
            builds, defined, tag = at(ver.group(1) if ver else None, "debian-bookworm")
            args = config_args(sh_words(m.group(1)))
            mods, unknown = builds.preset(args)
            ok, gone = known(mods, defined)
            rows.append(("debian-bookworm", ok))
            sources.append("debian-bookworm: `%s -V` (nginx %s), Debian package nginx %s"
                           % (a.debian_nginx, ver.group(1) if ver else "?", pv))
            comments.append("# debian-bookworm: Debian 12's nginx %s; the --with/--without "
                            "arguments of its `nginx -V`:" % (ver.group(1) if ver else "?"))
            comments.append("#   " + " ".join(args))
            comments.append("#   the dynamic ones, shipped in separate libnginx-mod-* packages:")
            comments += dynamic_lines(builds, args, defined)
            if unknown:
                comments.append("#   arguments naming no module: " + " ".join(unknown))
            if gone:
                comments.append("#   named by auto/modules but not in the source: " + " ".join(gone))

    # source: a plain ./configure
    builds, defined, tag = at(None, "source")
    mods, _ = builds.preset([])
    ok, gone = known(mods, defined)
    rows.append(("source", ok))
    comments.append("# source: a plain ./configure of nginx/nginx %s on Linux" % tag)
    if gone:
        comments.append("#   named by auto/modules but not in the source: " + " ".join(gone))
    other_platforms = sorted(m for m in defined if builds.classify(m) == "default"
                             and m not in ok and m in set().union(*builds.platform.values()))
    if other_platforms:
        comments.append("#   event modules of other platforms, not listed: "
                        + " ".join(other_platforms))

    srcs = ["nginx/nginx: auto/ scripts and src/ of %s" % ", ".join(
        "%s = %s" % (t, nginx.rev(t)) for t in sorted(used_tags, key=version_key))] + sources
    lines = header_lines("nginx build presets: the modules each build has", command, srcs)
    lines.append("# modules: ngx_module_t names of nginx/nginx (static and dynamic), comma-separated,")
    lines.append("# as nginx's auto/options and auto/modules of the preset's version enable them on Linux")
    lines += comments
    lines.append("preset\tmodules")
    for name, mods in rows:
        lines.append("%s\t%s" % (name, ",".join(mods)))
    with open(a.builds_out, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
