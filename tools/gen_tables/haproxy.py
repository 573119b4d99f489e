#!/usr/bin/env python3
"""Build data/tables/haproxy-keywords.tsv from HAProxy's own sources.

The table lists, for every HAProxy release vX.Y.0 from 2.0 on, the
configuration keywords HAProxy's parser accepts, in which sections, how many
arguments bind/server keywords take, and the keywords HAProxy refuses as
removed or warns about as deprecated, with the message it prints.

Everything is read from a git clone of https://github.com/haproxy/haproxy
(bare or not) with plain git commands; nothing is compiled or run.

    python3 tools/gen_tables/haproxy.py --repo HAPROXY_GIT_DIR \\
        --output data/tables/haproxy-keywords.tsv

See tools/gen_tables/README-haproxy.md for what is extracted and how.
Python 3.11 standard library only.
"""

import argparse
import re
import subprocess
import sys
from collections import defaultdict

FIRST_RELEASE = (2, 0)
OUTPUT_PATH = "data/tables/haproxy-keywords.tsv"
COMMAND = ("python3 tools/gen_tables/haproxy.py --repo HAPROXY_GIT_DIR "
           "--output " + OUTPUT_PATH)
PROXY_SECTIONS = ("defaults", "frontend", "backend", "listen")
ALL_PROXY = ",".join(PROXY_SECTIONS)
HEADER = ("scope", "keyword", "sections", "args", "negatable", "flags",
          "versions", "removed", "replacement", "message")
FLAG_ORDER = ("default_ok", "dynamic_ok", "prefix", "experimental",
              "deprecated", "warning")

# action keyword registration function -> scope of the rule keyword
ACTION_REGISTER = {
    "http_req_keywords_register": "http-request",
    "http_res_keywords_register": "http-response",
    "http_after_res_keywords_register": "http-after-response",
    "tcp_req_conn_keywords_register": "tcp-request connection",
    "tcp_req_sess_keywords_register": "tcp-request session",
    "tcp_req_cont_keywords_register": "tcp-request content",
    "tcp_res_cont_keywords_register": "tcp-response content",
    "quic_init_actions_register": "quic-initial",
}
# functions holding the actions that are parsed inline (no keyword list):
# function name -> (index expression compared, scopes)
INLINE_ACTIONS = {
    "parse_http_req_cond": ("0", ("http-request",)),
    "parse_http_res_cond": ("0", ("http-response",)),
    "parse_http_after_res_cond": ("0", ("http-after-response",)),
    "tcp_parse_request_rule": ("arg", ("tcp-request connection",
                                       "tcp-request session",
                                       "tcp-request content")),
    "tcp_parse_response_rule": ("arg", ("tcp-response content",)),
}
# section parsers whose keywords are not listed under their own scope
SECTION_SCOPE_SKIP = {"global", "defaults", "frontend", "backend", "listen"}

# wording HAProxy uses when it refuses a keyword that existed before
RE_REMOVED = re.compile(
    r"not supported any ?more|no longer supported|has been removed|"
    r"was removed|(?:doesn't|does not) exist any ?more|has no effect|"
    r"is ignored|and ignored|not supported since|is obsolete|"
    r"not supported in this version", re.I)
RE_DEPRECATED = re.compile(r"deprecated", re.I)
RE_SINCE = re.compile(r"since (?:HAProxy )?(?:version )?(\d+)\.(\d+)", re.I)
RE_REPLACEMENT = [
    re.compile(r"\b(?:please )?use (?:the )?'([^']+)'", re.I),
    re.compile(r"in favou?r of '([^']+)'", re.I),
    re.compile(r"replaced (?:by|with) '([^']+)'", re.I),
    re.compile(r"\buse \"([^\"]+)\"", re.I),
]
MSG_FUNCS = {"ha_alert": ("fmt0", "error"),
             "ha_warning": ("fmt0", "warning"),
             "ha_notice": ("fmt0", "warning"),
             "ha_diag_warning": ("fmt0", "warning"),
             "memprintf": ("fmt1", None)}

MARKERS = ("_kw_list", "REGISTER_CONFIG_SECTION", "cfg_register_section",
           "struct cfg_opt", "strcmp(args[")


def log(*a):
    print(*a, file=sys.stderr)


# --------------------------------------------------------------------------
# git access
# --------------------------------------------------------------------------

class Git:
    def __init__(self, repo):
        self.repo = repo
        self.proc = subprocess.Popen(
            ["git", "-C", repo, "cat-file", "--batch"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.cache = {}

    def run(self, *args):
        return subprocess.run(["git", "-C", self.repo] + list(args),
                              check=True, capture_output=True,
                              text=True).stdout

    def blob(self, oid):
        if oid in self.cache:
            return self.cache[oid]
        self.proc.stdin.write(oid.encode() + b"\n")
        self.proc.stdin.flush()
        head = self.proc.stdout.readline().split()
        if len(head) < 3 or head[1] != b"blob":
            raise RuntimeError("cannot read object %s" % oid)
        size = int(head[2])
        data = self.proc.stdout.read(size)
        self.proc.stdout.read(1)
        text = data.decode("utf-8", "replace")
        self.cache[oid] = text
        return text

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


def release_tags(git):
    tags = []
    for t in git.run("tag", "-l", "v*").split():
        m = re.fullmatch(r"v(\d+)\.(\d+)\.0", t)
        if m and (int(m.group(1)), int(m.group(2))) >= FIRST_RELEASE:
            tags.append(((int(m.group(1)), int(m.group(2))), t))
    tags.sort()
    return tags


# --------------------------------------------------------------------------
# C source handling
# --------------------------------------------------------------------------

RE_COMMENT = re.compile(
    r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', re.S)
RE_TOKEN = re.compile(r'''
  "(?:\\.|[^"\\\n])*"
| '(?:\\.|[^'\\\n])*'
| [A-Za-z_]\w*
| \.?\d[\w.]*
| ->|\+\+|--|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=
| \S
''', re.X)


def strip_comments(text):
    def repl(m):
        s = m.group(0)
        if s.startswith("/"):
            return " "
        return s
    return RE_COMMENT.sub(repl, text)


def preprocess(text, union):
    """Drop preprocessor lines.  With union, the code of every #if branch is
    kept (used to read keyword arrays, where each branch may hold entries);
    otherwise a single branch of each conditional is kept so that function
    bodies stay balanced: the first one, except for '#if 0' and for negated
    conditions (#ifndef, #if !...) which keep their #else branch."""
    lines = text.split("\n")
    # join continuation lines of directives
    logical = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("#"):
            while line.rstrip().endswith("\\") and i + 1 < len(lines):
                i += 1
                line = line.rstrip()[:-1] + " " + lines[i]
        logical.append(line)
        i += 1
    # which conditionals have an #else (or #elif) at their own level
    has_else = {}
    open_ifs = []
    for n, line in enumerate(logical):
        s = line.strip()
        if not s.startswith("#"):
            continue
        word = re.match(r"\w*", s[1:].strip()).group(0)
        if word in ("if", "ifdef", "ifndef"):
            open_ifs.append(n)
            has_else[n] = False
        elif word in ("else", "elif") and open_ifs:
            has_else[open_ifs[-1]] = True
        elif word == "endif" and open_ifs:
            open_ifs.pop()
    out = []
    # stack entries: [parent_active, negated_with_else, group_taken]
    stack = []
    active = True
    for n, line in enumerate(logical):
        s = line.strip()
        if s.startswith("#"):
            d = s[1:].strip()
            word = re.match(r"\w*", d).group(0)
            rest = d[len(word):].strip()
            if union:
                out.append("")
                continue
            if word in ("if", "ifdef", "ifndef"):
                zero = word == "if" and rest == "0"
                negated = (word == "ifndef" or (word == "if" and
                                                rest.startswith("!")))
                if negated and re.search(r"NO_|_NO\b", rest):
                    negated = False      # "not disabled": a feature test
                if zero or (negated and has_else.get(n)):
                    take = False
                else:
                    take = True
                stack.append([active, take])
                active = active and take
            elif word in ("elif", "else") and stack:
                top = stack[-1]
                take = word == "else" and not top[1]
                top[1] = top[1] or take
                active = top[0] and take
            elif word == "endif" and stack:
                active = stack.pop()[0]
            out.append("")
            continue
        out.append(line if active else "")
    return "\n".join(out)


def c_string(tokens):
    """Concatenate adjacent C string literal tokens (contents, escapes kept
    as written)."""
    return "".join(t[1:-1] for t in tokens)


def is_str(tok):
    return tok.startswith('"')


class CFile:
    """One source file: tokens, function bodies, initialisers, branches."""

    def __init__(self, text):
        self.raw = text
        self.nocomment = strip_comments(text)
        self._toks = {}
        self._funcs = None
        self._inits = None
        self._branches = {}

    def tokens(self, union=False):
        if union not in self._toks:
            self._toks[union] = RE_TOKEN.findall(
                preprocess(self.nocomment, union))
        return self._toks[union]

    # ---- functions
    def functions(self):
        if self._funcs is not None:
            return self._funcs
        toks = self.tokens()
        funcs = {}
        depth = 0
        i = 0
        n = len(toks)
        while i < n:
            t = toks[i]
            if t == "{":
                depth += 1
            elif t == "}":
                depth -= 1
            elif (depth == 0 and t == "(" and i > 0 and
                  re.match(r"[A-Za-z_]\w*$", toks[i - 1])):
                j = match_paren(toks, i)
                if j is not None and j + 1 < n and toks[j + 1] == "{":
                    k = match_brace(toks, j + 1)
                    if k is not None:
                        funcs.setdefault(toks[i - 1], (j + 1, k))
                        i = k + 1
                        continue
                if j is not None:
                    i = j
            i += 1
        self._funcs = funcs
        return funcs

    # ---- struct initialisers
    def initialisers(self):
        """name -> (type, tree) for 'struct TYPE NAME[] = { ... }'."""
        if self._inits is not None:
            return self._inits
        toks = self.tokens(union=True)
        inits = {}
        depth = 0
        n = len(toks)
        i = 0
        while i < n:
            t = toks[i]
            if t == "{":
                depth += 1
            elif t == "}":
                depth -= 1
            elif t == "struct" and i + 3 < n:
                typ, name = toks[i + 1], toks[i + 2]
                j = i + 3
                if j < n and toks[j] == "[":
                    while j < n and toks[j] != "]":
                        j += 1
                    j += 1
                if j + 1 < n and toks[j] == "=" and toks[j + 1] == "{":
                    tree, end = parse_init(toks, j + 1)
                    inits[name] = (typ, tree)
                    i = end + 1
                    continue
            i += 1
        self._inits = inits
        return inits

    # ---- if-blocks
    def blocks(self, fname):
        """Every if statement of function fname, as dicts: cond (start,
        end) token span, body (start, end), else_body (start, end) or None,
        lits {compared expression: [(literal, is_prefix)]}."""
        if fname in self._branches:
            return self._branches[fname]
        res = []
        span = self.functions().get(fname)
        if span:
            toks = self.tokens()
            a, b = span
            i = a
            while i < b:
                if toks[i] == "if" and toks[i + 1] == "(":
                    ce = match_paren(toks, i + 1)
                    if ce is None:
                        i += 1
                        continue
                    bs = ce + 1
                    be = match_brace(toks, bs) if toks[bs] == "{" else \
                        stmt_end(toks, bs)
                    if be is None:
                        i += 1
                        continue
                    els = None
                    if be + 1 < b and toks[be + 1] == "else" and \
                            toks[be + 2] != "if":
                        es = be + 2
                        ee = match_brace(toks, es) if toks[es] == "{" else \
                            stmt_end(toks, es)
                        if ee is not None:
                            els = (es, ee)
                    res.append({"cond": (i + 2, ce), "body": (bs, be),
                                "else_body": els,
                                "lits": cond_literals(toks, i + 2, ce)})
                    i = ce
                i += 1
        self._branches[fname] = res
        return res

    def branches(self, fname):
        """Branches of fname testing args[...] (or an option name) for
        equality with literals: (idx, lits, body start, body end, cond
        start)."""
        out = []
        for blk in self.blocks(fname):
            for idx, group in blk["lits"].items():
                out.append((idx, group, blk["body"][0], blk["body"][1],
                            blk["cond"][0] - 2))
        return out


def match_paren(toks, i, o="(", c=")"):
    depth = 0
    for j in range(i, len(toks)):
        if toks[j] == o:
            depth += 1
        elif toks[j] == c:
            depth -= 1
            if depth == 0:
                return j
    return None


def match_brace(toks, i):
    return match_paren(toks, i, "{", "}")


def stmt_end(toks, i):
    depth = 0
    for j in range(i, len(toks)):
        if toks[j] in "({[":
            depth += 1
        elif toks[j] in ")}]":
            depth -= 1
            if depth < 0:
                return None
        elif toks[j] == ";" and depth == 0:
            return j
    return None


def norm_expr(toks):
    e = "".join(toks)
    m = re.fullmatch(r"args\[(.+)\]", e)
    if m:
        return m.group(1)
    if re.fullmatch(r"\w+\[optnum\]\.name", e):
        return "1"               # the option name being matched
    return "expr:" + e


def cond_literals(toks, a, b):
    """Equality comparisons with string literals in the token range [a, b):
    !strcmp(X, "lit"), strcmp(X, "lit") == 0, same with strncmp (prefix).
    Returns {normalised X: [(literal, is_prefix), ...]}; X is the index
    for args[...] ("0", "1", "cur_arg"...), "1" for an option name."""
    out = defaultdict(list)
    i = a
    while i < b:
        t = toks[i]
        if t in ("strcmp", "strncmp", "strcasecmp") and toks[i + 1] == "(":
            e = match_paren(toks, i + 1)
            if e is None or e > b:
                break
            args = split_args(toks[i + 2:e])
            if len(args) >= 2 and args[1] and all(is_str(x) for x in args[1]):
                neg_before = i > a and toks[i - 1] == "!" and not (
                    i - 1 > a and toks[i - 2] == "!")
                eq_after = (e + 2 < len(toks) and toks[e + 1] == "=="
                            and toks[e + 2] == "0")
                if neg_before or eq_after:
                    out[norm_expr(args[0])].append(
                        (c_string(args[1]), t == "strncmp"))
            i = e + 1
            continue
        i += 1
    return out


def parse_init(toks, i):
    """Parse a brace initialiser starting at toks[i] == '{'.  Returns
    (list of elements, index of closing brace).  An element is a dict with
    'desig' (designator name or None) and either 'list' (nested) or 'toks'."""
    elems = []
    cur = {"desig": None, "toks": [], "list": None}
    j = i + 1
    n = len(toks)
    while j < n:
        t = toks[j]
        if t == "{":
            sub, end = parse_init(toks, j)
            cur["list"] = sub
            j = end + 1
            continue
        if t == "}":
            if cur["toks"] or cur["list"] is not None or cur["desig"]:
                elems.append(cur)
            return elems, j
        if t == ",":
            elems.append(cur)
            cur = {"desig": None, "toks": [], "list": None}
        elif t == "." and j + 2 < n and toks[j + 2] == "=" and \
                not cur["toks"] and cur["list"] is None:
            cur["desig"] = toks[j + 1]
            j += 3
            continue
        elif t == "(":
            e = match_paren(toks, j)
            cur["toks"].extend(toks[j:e + 1])
            j = e + 1
            continue
        else:
            cur["toks"].append(t)
        j += 1
    return elems, n - 1


def entry_list(tree, desig="kw"):
    """The array of entries of a keyword list initialiser: the element named
    .kw, else the last braced element."""
    for e in tree:
        if e["desig"] == desig and e["list"] is not None:
            return e["list"]
    for e in reversed(tree):
        if e["list"] is not None:
            return e["list"]
    return []


def entry_fields(entry):
    """Fields of one entry: list of token lists (nested lists kept as [])."""
    if entry["list"] is None:
        return None
    return [e["toks"] if e["list"] is None else [] for e in entry["list"]]


# --------------------------------------------------------------------------
# messages
# --------------------------------------------------------------------------

def messages_in(toks, a, b):
    """Message calls in toks[a:b]: (position, format, severity).  Severity
    of memprintf is decided by the caller from the return value."""
    out = []
    i = a
    while i < b:
        t = toks[i]
        if t in MSG_FUNCS and toks[i + 1] == "(":
            e = match_paren(toks, i + 1)
            if e is None:
                break
            args = split_args(toks[i + 2:e])
            kind, sev = MSG_FUNCS[t]
            fa = args[0] if kind == "fmt0" else (args[1] if len(args) > 1
                                                 else [])
            if fa and all(is_str(x) for x in fa):
                out.append((i, c_string(fa), sev, e))
            i = e + 1
            continue
        i += 1
    return out


def split_args(toks):
    out = [[]]
    depth = 0
    for t in toks:
        if t in "([{":
            depth += 1
        elif t in ")]}":
            depth -= 1
        if t == "," and depth == 0:
            out.append([])
        else:
            out[-1].append(t)
    return out


def clean_message(fmt):
    if fmt.endswith("\\n"):
        fmt = fmt[:-2]
    return fmt.replace("\t", " ").strip()


def replacement_of(msg):
    for r in RE_REPLACEMENT:
        m = r.search(msg)
        if m:
            return m.group(1)
    return None


def memprintf_severity(toks, pos, end):
    """For a memprintf at pos, find the next return statement before end."""
    for j in range(pos, end):
        if toks[j] == "return":
            k = j + 1
            val = []
            while k < end and toks[k] != ";":
                val.append(toks[k])
                k += 1
            v = "".join(val)
            if v in ("1", "ERR_WARN"):
                return "warning"
            return "error"
        if toks[j] == "goto":
            return "error"
    return "error"


# --------------------------------------------------------------------------
# one release
# --------------------------------------------------------------------------

class Release:
    def __init__(self, git, tag, files_cache):
        self.tag = tag
        self.git = git
        self.files = {}          # path -> CFile
        self.doc = None
        out = git.run("ls-tree", "-r", tag, "--", "src", "addons",
                      "doc/configuration.txt")
        for line in out.splitlines():
            meta, path = line.split("\t", 1)
            oid = meta.split()[2]
            if path == "doc/configuration.txt":
                self.doc = git.blob(oid)
            elif (path.startswith("src/") or path.startswith("addons/")) \
                    and path.endswith(".c") and "/dummy/" not in path:
                text = git.blob(oid)
                if not any(m in text for m in MARKERS):
                    continue
                if oid not in files_cache:
                    files_cache[oid] = CFile(text)
                self.files[path] = files_cache[oid]
        self.func_index = None

    def find_function(self, name, prefer=None):
        """(path, CFile) holding the definition of function name."""
        if prefer and name in self.files[prefer].functions():
            return prefer, self.files[prefer]
        if self.func_index is None:
            idx = {}
            for path in sorted(self.files):
                for fn in self.files[path].functions():
                    idx.setdefault(fn, path)
            self.func_index = idx
        path = self.func_index.get(name)
        if path:
            return path, self.files[path]
        return None, None


def registrations(cf):
    """var name -> set of registering functions, from calls f(&var) and
    INITCALLn(STG, f, &var)."""
    text = cf.nocomment
    reg = defaultdict(set)
    for m in re.finditer(r"INITCALL\d\s*\(\s*\w+\s*,\s*(\w+)\s*,\s*&\s*(\w+)",
                         text):
        reg[m.group(2)].add(m.group(1))
    for m in re.finditer(r"\b(\w+)\s*\(\s*&\s*(\w+)\s*\)", text):
        reg[m.group(2)].add(m.group(1))
    return reg


class Extract:
    """Everything read from one release."""

    def __init__(self, rel, diag):
        self.rel = rel
        self.diag = diag
        # (scope, keyword) -> info dict
        self.kw = {}
        self.sections = {}       # section name -> (path, function)
        self.cfg_kws = []        # (section id, kw, fn, flags, path)
        self.notes = []
        self.neg_message = None  # HAProxy's answer to "no option X"

    def add(self, scope, keyword, **info):
        key = (scope, keyword)
        cur = self.kw.get(key)
        if cur is None:
            info.setdefault("sources", [])
            self.kw[key] = info
            return info
        # merge: keep first values, collect extra
        for k, v in info.items():
            if k == "sources":
                cur["sources"].extend(v)
            elif k == "flags":
                cur["flags"] = cur.get("flags", set()) | v
            elif k not in cur or cur[k] is None:
                cur[k] = v
            elif k == "args" and cur[k] != v:
                cur.setdefault("args_alt", set()).add(v)
        return cur

    def run(self):
        self.read_sections()
        self.read_lists()
        self.read_global()
        self.read_proxy()
        self.read_options()
        self.read_timeouts()
        self.read_server_inline()
        self.read_other_sections()
        self.read_inline_actions()

    # ---- sections
    def read_sections(self):
        for path in sorted(self.rel.files):
            cf = self.rel.files[path]
            if "CONFIG_SECTION" not in cf.raw and \
                    "cfg_register_section" not in cf.raw:
                continue
            toks = cf.tokens()
            funcs = cf.functions()
            spans = sorted(funcs.items(), key=lambda x: x[1][0])
            for i, t in enumerate(toks):
                if t in ("REGISTER_CONFIG_SECTION", "cfg_register_section") \
                        and i + 4 < len(toks) and toks[i + 1] == "(" and \
                        is_str(toks[i + 2]) and toks[i + 3] == ",":
                    name = c_string([toks[i + 2]])
                    fn = toks[i + 4]
                    inside = [f for f, (a, b) in spans if a < i < b]
                    if inside and not inside[0].startswith("__"):
                        self.notes.append(
                            "section '%s' registered at run time by %s() in %s"
                            " (not a haproxy.cfg section), skipped"
                            % (name, inside[0], path))
                        continue
                    self.sections.setdefault(name, (path, fn))

    # ---- keyword lists
    def read_lists(self):
        for path in sorted(self.rel.files):
            cf = self.rel.files[path]
            if "_kw_list" not in cf.raw and "struct cfg_opt" not in cf.raw:
                continue
            regs = registrations(cf)
            for name, (typ, tree) in sorted(cf.initialisers().items()):
                if typ not in ("cfg_kw_list", "bind_kw_list", "srv_kw_list",
                               "action_kw_list"):
                    continue
                rfs = regs.get(name, set())
                entries = entry_list(tree)
                if typ == "cfg_kw_list":
                    if "cfg_register_keywords" not in rfs:
                        self.unregistered(path, name, entries)
                        continue
                    self.read_cfg_list(path, entries)
                elif typ == "bind_kw_list":
                    if "bind_register_keywords" not in rfs:
                        self.unregistered(path, name, entries)
                        continue
                    self.read_bind_srv(path, "bind", entries)
                elif typ == "srv_kw_list":
                    if "srv_register_keywords" not in rfs:
                        self.unregistered(path, name, entries)
                        continue
                    self.read_bind_srv(path, "server", entries)
                else:
                    scopes = [ACTION_REGISTER[f] for f in sorted(rfs)
                              if f in ACTION_REGISTER]
                    if not scopes:
                        if entries and any(entry_fields(e) and
                                           any(is_str(x) for f in
                                               entry_fields(e) for x in f)
                                           for e in entries):
                            other = sorted(rfs) or ["(none)"]
                            self.notes.append(
                                "action list %s:%s registered with %s, "
                                "not a rule scope read here"
                                % (path, name, ",".join(other)))
                        continue
                    for scope in scopes:
                        self.read_actions(path, scope, entries)

    def unregistered(self, path, name, entries):
        if entries:
            self.notes.append("keyword list %s:%s is never registered, "
                              "skipped" % (path, name))

    def read_cfg_list(self, path, entries):
        for e in entries:
            f = entry_fields(e)
            if not f or len(f) < 3:
                continue
            sec = "".join(f[0])
            if not f[1] or not is_str(f[1][0]):
                continue
            kw = c_string(f[1])
            fn = "".join(f[2])
            flags = set()
            if len(f) > 3:
                fl = "".join(f[3])
                if "KWF_EXPERIMENTAL" in fl:
                    flags.add("experimental")
                if "KWF_MATCH_PREFIX" in fl:
                    flags.add("prefix")
            self.cfg_kws.append((sec, kw, fn, flags, path))

    def read_bind_srv(self, path, scope, entries):
        for e in entries:
            f = entry_fields(e)
            if not f or not f[0] or not is_str(f[0][0]):
                continue
            kw = c_string(f[0])
            fn = "".join(f[1]) if len(f) > 1 else ""
            skip = "".join(f[2]) if len(f) > 2 else "0"
            flags = set()
            if scope == "server":
                if len(f) > 3 and "".join(f[3]) not in ("0", ""):
                    flags.add("default_ok")
                if len(f) > 4 and "".join(f[4]) not in ("0", ""):
                    flags.add("dynamic_ok")
            self.add(scope, kw, args=skip, flags=flags,
                     sources=[("func", path, fn, None)])

    def read_actions(self, path, scope, entries):
        for e in entries:
            f = entry_fields(e)
            if not f or not f[0] or not is_str(f[0][0]):
                continue
            kw = c_string(f[0])
            fn = "".join(f[1]) if len(f) > 1 else ""
            flags = set()
            if len(f) > 2:
                fl = "".join(f[2])
                if fl == "1" or "KWF_MATCH_PREFIX" in fl:
                    flags.add("prefix")
                if "KWF_EXPERIMENTAL" in fl:
                    flags.add("experimental")
            self.add(scope, kw, flags=flags,
                     sources=[("func", path, fn, None)])

    def section_cfg_ids(self, path, fn):
        p, cf = self.rel.find_function(fn, path)
        if not cf:
            return set()
        a, b = cf.functions()[fn]
        ids = {t for t in cf.tokens()[a:b] if re.fullmatch(r"CFG_[A-Z]+", t)}
        ids.discard("CFG_NONE")
        return ids

    def chain_keywords(self, path, fn, idx, exclude=()):
        """Keywords compared in if-branches of function fn with args[idx]."""
        p, cf = self.rel.find_function(fn, path)
        if not cf:
            return None, []
        out = []
        for bidx, lits, bs, be, cs in cf.branches(fn):
            if bidx != idx:
                continue
            for lit, pfx in lits:
                if lit not in exclude and lit not in ("if", "unless"):
                    out.append((lit, pfx, bs, be))
        return p, out

    # ---- global
    def read_global(self):
        path, fn = self.sections.get("global", (None, None))
        ids = {"CFG_GLOBAL"}
        p, chain = self.chain_keywords(path, fn, "0", exclude=("global",))
        for lit, pfx, bs, be in chain:
            self.add("global", lit, sources=[("branch", p, fn, (bs, be))])
        for sec, kw, kfn, flags, kpath in self.cfg_kws:
            if sec in ids:
                self.add("global", kw, flags=set(flags),
                         sources=[("func", kpath, kfn, None)])

    # ---- proxies
    def read_proxy(self):
        path, fn = self.sections.get("listen", (None, None))
        self.listen_fn = (path, fn)
        p, chain = self.chain_keywords(path, fn, "0", exclude=PROXY_SECTIONS)
        same = defaultdict(set)
        for lit, pfx, bs, be in chain:
            same[(bs, be)].add(lit)
        for lit, pfx, bs, be in chain:
            self.add("proxy", lit, sources=[("branch", p, fn, (bs, be))],
                     siblings=same[(bs, be)] - {lit})
        for sec, kw, kfn, flags, kpath in self.cfg_kws:
            if sec == "CFG_LISTEN":
                self.add("proxy", kw, flags=set(flags),
                         sources=[("func", kpath, kfn, None)])

    def read_options(self):
        path, fn = self.listen_fn
        p, cf = self.rel.find_function(fn, path)
        # option arrays
        for fpath in sorted(self.rel.files):
            c = self.rel.files[fpath]
            if "struct cfg_opt" not in c.raw:
                continue
            for name, (typ, tree) in sorted(c.initialisers().items()):
                if typ != "cfg_opt":
                    continue
                for e in tree:
                    f = entry_fields(e)
                    if not f or not f[0] or not is_str(f[0][0]):
                        continue
                    kw = c_string(f[0])
                    cap = "".join(f[2]) if len(f) > 2 else "0"
                    if cap in ("0", "PR_CAP_NONE"):
                        # build-option placeholder; the real entry is the
                        # other #if branch
                        self.add("option", kw, sources=[], negatable="yes",
                                 cap=None, optarray=name)
                        continue
                    self.add("option", kw, cap=cap_sections(cap),
                             negatable="yes", optarray=name,
                             sources=[])
        # options handled one by one in the "option" branch
        opt = [x for x in self.chain_keywords(path, fn, "0")[1]
               if x[0] == "option"]
        if not opt:
            return
        _, _, obs, obe = opt[0]
        toks = cf.tokens()
        neg_check = None
        for i in range(obs, obe):
            if toks[i] == "kwm" and toks[i + 1] == "!=" and \
                    toks[i + 2] == "KWM_STD":
                # the check that refuses "no option X" for what follows
                neg_check = i
                break
        if neg_check is not None:
            for pos, fmt, sev, _ in messages_in(toks, neg_check,
                                                min(obe, neg_check + 80)):
                self.neg_message = clean_message(fmt)
                break
        for bidx, lits, bs, be, cs in cf.branches(fn):
            if bidx != "1" or not (obs < cs < obe):
                continue
            # only branches directly in the option branch, not in a nested
            # keyword branch (e.g. option httplog's "clf" argument)
            nested = [x for x in cf.branches(fn) if x[2] < cs < x[3]
                      and (x[2], x[3]) != (obs, obe) and obs <= x[2]]
            if nested:
                continue
            negatable = "yes" if neg_check is None or cs < neg_check else "no"
            for lit, pfx in lits:
                self.add("option", lit, negatable=negatable,
                         cap=branch_cap(toks, bs, be),
                         sources=[("branch", p, fn, (bs, be))])

    def read_timeouts(self):
        for sec, kw, kfn, flags, kpath in self.cfg_kws:
            if sec == "CFG_LISTEN" and kw == "timeout":
                p, chain = self.chain_keywords(kpath, kfn, "0",
                                               exclude=("timeout",))
                p, cf = self.rel.find_function(kfn, kpath)
                for lit, pfx, bs, be in chain:
                    self.add("timeout", lit,
                             cap=branch_cap(cf.tokens(), bs, be,
                                            assign=True),
                             sources=[("branch", p, kfn, (bs, be))])

    def read_server_inline(self):
        """Server keywords still parsed inline by parse_server() (2.0-2.3)."""
        p, cf = self.rel.find_function("parse_server")
        if not cf:
            return
        toks = cf.tokens()
        for bidx, lits, bs, be, cs in cf.branches("parse_server"):
            if bidx != "cur_arg":
                continue
            nargs = 0
            for i in range(bs, be):
                if toks[i] == "args" and toks[i + 1] == "[" and \
                        toks[i + 2] == "cur_arg" and toks[i + 3] == "+" and \
                        re.fullmatch(r"\d+", toks[i + 4]):
                    nargs = max(nargs, int(toks[i + 4]))
            for lit, pfx in lits:
                if lit in ("if", "unless"):
                    continue
                self.add("server", lit, args=str(nargs),
                         flags={"default_ok"}, inline=True,
                         sources=[("branch", p, "parse_server", (bs, be))])

    def read_other_sections(self):
        for name, (path, fn) in sorted(self.sections.items()):
            if name in SECTION_SCOPE_SKIP:
                continue
            names = {n for n, v in self.sections.items() if v[1] == fn}
            p, chain = self.chain_keywords(path, fn, "0", exclude=names)
            if p is None:
                self.notes.append("section '%s': parser %s not found"
                                  % (name, fn))
                continue
            for lit, pfx, bs, be in chain:
                self.add(name, lit, sources=[("branch", p, fn, (bs, be))])
            ids = self.section_cfg_ids(path, fn) - {"CFG_GLOBAL",
                                                   "CFG_LISTEN"}
            for sec, kw, kfn, flags, kpath in self.cfg_kws:
                if sec in ids:
                    self.add(name, kw, flags=set(flags),
                             sources=[("func", kpath, kfn, None)])

    def read_inline_actions(self):
        for fn, (idx, scopes) in sorted(INLINE_ACTIONS.items()):
            p, cf = self.rel.find_function(fn)
            if not cf:
                continue
            toks = cf.tokens()
            brs = [x for x in cf.branches(fn) if x[0] == idx]
            for bidx, lits, bs, be, cs in brs:
                if any(x[2] < cs < x[3] for x in brs):
                    continue         # an argument of another action
                body = "".join(toks[bs:be])
                these = scopes
                if "where&SMP_VAL_FE_REQ_CNT" in body:
                    these = [s for s in scopes if s.endswith("content")]
                elif "where&SMP_VAL_FE_CON_ACC" in body:
                    these = [s for s in scopes if s.endswith("connection")]
                for lit, pfx in lits:
                    if lit in ("if", "unless"):
                        continue
                    for s in these:
                        self.add(s, lit, flags={"prefix"} if pfx else set(),
                                 sources=[("branch", p, fn, (bs, be))])


def cap_sections(cap):
    """PR_CAP_* expression -> sections accepting it."""
    secs = set()
    if "PR_CAP_LISTEN" in cap or ("PR_CAP_FE" in cap and "PR_CAP_BE" in cap):
        return set(PROXY_SECTIONS)
    if "PR_CAP_FE" in cap:
        secs |= {"defaults", "frontend", "listen"}
    if "PR_CAP_BE" in cap:
        secs |= {"defaults", "backend", "listen"}
    return secs or None


def branch_cap(toks, bs, be, assign=False):
    """Sections from the capability checked (warnifnotcap) or assigned
    (cap = ...) in a branch."""
    for i in range(bs, be):
        if not assign and toks[i] == "warnifnotcap" and toks[i + 1] == "(":
            e = match_paren(toks, i + 1)
            args = split_args(toks[i + 2:e])
            if len(args) > 1:
                return cap_sections("".join(args[1]))
        if assign and toks[i] == "cap" and toks[i + 1] == "=":
            e = stmt_end(toks, i)
            return cap_sections("".join(toks[i + 2:e]))
    return None


# --------------------------------------------------------------------------
# status of a keyword in a release: accepted / deprecated / refused
# --------------------------------------------------------------------------

BENIGN = ("kwm", "deprecated_directives_allowed", "already_warned", "WARN_",
          "warned")


def lit_matches(kw, idx, lit):
    if lit == kw:
        return True
    # a suffix compared after skipping a prefix (tune.quic.xxx)
    return idx.startswith("expr:") and kw.endswith("." + lit)


def char_test(toks, a, b, kw):
    """Evaluate a condition args[N][K] == 'c' against kw; None if the
    condition is not of that form."""
    c = toks[a:b]
    if len(c) == 9 and c[0] == "args" and c[1] == "[" and c[3] == "]" and \
            c[4] == "[" and c[6] == "]" and c[7] in ("==", "!=") and \
            c[8].startswith("'") and c[5].isdigit():
        k = int(c[5])
        ch = c[8][1:-1]
        eq = len(kw) > k and kw[k] == ch
        return eq if c[7] == "==" else not eq
    return None


def message_applies(toks, blocks, a, b, pos, kw):
    """Is the message at pos, inside the keyword's code [a, b], given for
    keyword kw unconditionally (apart from conditions on the "no" prefix
    and on warnings already given)?"""
    for blk in blocks:
        bs, be = blk["body"]
        if not (a <= bs and be <= b) or (bs, be) == (a, b):
            continue
        ca, cb = blk["cond"]
        cond = "".join(toks[ca:cb])
        in_body = bs < pos < be
        els = blk["else_body"]
        in_else = els is not None and els[0] < pos < els[1]
        if not in_body and not in_else:
            continue
        lits = blk["lits"]
        hit = any(lit_matches(kw, idx, l) for idx, g in lits.items()
                  for l, _ in g)
        if in_body:
            if lits:
                if hit:
                    continue
                return False
            if any(x in cond for x in BENIGN):
                continue
            ct = char_test(toks, ca, cb, kw)
            if ct is None or not ct:
                return False
        else:
            if lits:
                if hit:
                    return False
                continue
            if any(x in cond for x in BENIGN):
                continue
            ct = char_test(toks, ca, cb, kw)
            if ct is None or ct:
                return False
    return True


def alert_severity(toks, sev, end, b):
    """Severity of a message from the error flags set right after it."""
    for j in range(end, min(b, end + 40)):
        t = toks[j]
        if t in ("ERR_FATAL", "ERR_ALERT", "ERR_ABORT"):
            return "error"
        if t == "ERR_WARN":
            return "warning"
        if t in ("goto", "return", "}"):
            break
    return sev


def keyword_status(rel, ex, scope, kw, info):
    """Returns (status, severity, message): status is 'ok', 'deprecated',
    'removed' or 'invalid' (always refused, not as a removed keyword)."""
    found = []
    for kind, path, fn, span in info["sources"]:
        p, cf = rel.find_function(fn, path) if fn else (None, None)
        if not cf or fn not in cf.functions():
            continue
        toks = cf.tokens()
        fa, fb = cf.functions()[fn]
        if kind == "branch":
            a, b = span
        else:
            a, b = fa, fb
            # a function shared by several keywords: use its branch for kw
            for bidx, lits, bs, be, cs in cf.branches(fn):
                if bidx == "0" and any(l == kw for l, _ in lits):
                    a, b = bs, be
                    break
        blocks = cf.blocks(fn)
        for pos, fmt, sev, end in messages_in(toks, a, b):
            if not message_applies(toks, blocks, a, b, pos, kw):
                continue
            msg = clean_message(fmt)
            if sev is None:
                sev = memprintf_severity(toks, end, b)
            else:
                sev = alert_severity(toks, sev, end, b)
            if RE_REMOVED.search(msg):
                found.append(("removed", sev, msg))
            elif RE_DEPRECATED.search(msg):
                found.append(("deprecated", "warning", msg))
            elif toks[a] == "{" and pos == a + 1 and sev == "error" and \
                    "if" not in toks[a:b]:
                found.append(("invalid", sev, msg))
    for want in ("removed", "deprecated", "invalid"):
        for st, sev, msg in found:
            if st == want:
                return st, sev, msg
    return "ok", None, None


# --------------------------------------------------------------------------
# documentation matrix
# --------------------------------------------------------------------------

RE_MATRIX = re.compile(
    r"^(?P<kw>[a-z][^\s(]*(?: [a-z0-9][^\s(]*)*)\s+(?P<notes>(?:\([^)]*\)\s*)*)"
    r"(?P<d>[X-])(?: \(!\))?\s+(?P<f>[X-])\s+(?P<l>[X-])\s+(?P<b>[X-])\s*$")


def read_matrix(doc):
    """{(first word or 'option X'/'timeout X') : (sections, notes)}"""
    m = re.search(r"^4\.1\. Proxy keywords matrix\n-+\n(.*?)^4\.2\.",
                  doc, re.S | re.M)
    if not m:
        return {}
    out = {}
    for line in m.group(1).splitlines():
        mm = RE_MATRIX.match(line)
        if not mm:
            continue
        words = mm.group("kw").split()
        secs = set()
        for col, sec in (("d", "defaults"), ("f", "frontend"),
                         ("l", "listen"), ("b", "backend")):
            if mm.group(col) == "X":
                secs.add(sec)
        notes = set(re.findall(r"\(([^)]*)\)", mm.group("notes")))
        if words[0] in ("option", "timeout") and len(words) > 1:
            key = (words[0], words[1])
        else:
            key = ("proxy", words[0])
        if key in out:
            osecs, onotes = out[key]
            secs = secs | osecs
            notes = notes | onotes
        out[key] = (secs, notes)
    return out


# --------------------------------------------------------------------------
# assembling the table
# --------------------------------------------------------------------------

def fmt_sections(secs):
    if not secs:
        return "-"
    return ",".join(s for s in PROXY_SECTIONS if s in secs)


def fmt_flags(flags):
    fl = [f for f in FLAG_ORDER if f in flags]
    return ",".join(fl) if fl else "-"


def ranges(versions, all_versions):
    """Comma list of ranges of scanned releases: 2.0-, 2.4-2.8, 3.1."""
    if not versions:
        return "-"
    idx = [all_versions.index(v) for v in sorted(versions)]
    out = []
    start = prev = idx[0]
    for i in idx[1:] + [None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        a, b = all_versions[start], all_versions[prev]
        if prev == len(all_versions) - 1:
            out.append("%d.%d-" % a)
        elif a == b:
            out.append("%d.%d" % a)
        else:
            out.append("%d.%d-%d.%d" % (a + b))
        if i is not None:
            start = prev = i
    return ",".join(out)


def clean_field(s):
    s = "-" if s is None or s == "" else str(s)
    return s.replace("\t", " ").replace("\n", " ")


def build(repo):
    git = Git(repo)
    tags = release_tags(git)
    files_cache = {}
    versions = [v for v, t in tags]
    commits = []
    # per (scope, kw, version) -> row properties
    per = defaultdict(dict)
    removed = defaultdict(dict)          # (scope, kw) -> {v: (sev, msg)}
    diag = defaultdict(list)
    neg_messages = {}
    last_matrix = {}
    for v, tag in tags:
        commit = git.run("rev-parse", tag + "^{commit}").strip()
        commits.append((tag, commit))
        rel = Release(git, tag, files_cache)
        ex = Extract(rel, diag)
        ex.run()
        neg_messages[v] = ex.neg_message
        matrix = read_matrix(rel.doc or "")
        for key, val in matrix.items():
            last_matrix[key] = (vs_of(v), val)
        for sc in ("option", "timeout"):
            union = set()
            for (s2, k2), (secs2, n2) in matrix.items():
                if s2 == sc:
                    union |= secs2
            if union:
                matrix[("proxy", sc)] = (union, set())
        vs = "%d.%d" % v
        for note in ex.notes:
            diag["notes"].append("%s: %s" % (vs, note))
        # sections
        for name in ex.sections:
            per[("section", name)][v] = {"sections": None, "args": None,
                                         "neg": None, "flags": set(),
                                         "msg": None, "repl": None}
        code_proxy = set()
        for (scope, kw), info in sorted(ex.kw.items()):
            st, sev, msg = keyword_status(rel, ex, scope, kw, info)
            if st == "invalid":
                diag["notes"].append(
                    "%s: %s '%s' is always refused (%s), left out"
                    % (vs, scope, kw, msg))
                continue
            if st == "removed":
                removed[(scope, kw)][v] = (sev, msg)
                continue
            flags = set(info.get("flags", set()))
            secs = None
            if scope == "proxy":
                code_proxy.add(kw)
                mx = matrix.get(("proxy", kw))
                if mx:
                    secs = mx[0]
                    if "deprecated" in mx[1]:
                        flags.add("deprecated")
                else:
                    secs, origin = fallback_sections(
                        ("proxy", kw), last_matrix, matrix,
                        info.get("siblings", ()),
                        proxy_cap_from_code(rel, info))
                    diag["matrix"].append(
                        "%s: proxy keyword '%s' is in the sources, not in the "
                        "matrix (sections from %s)" % (vs, kw, origin))
            elif scope in ("option", "timeout"):
                code = info.get("cap")
                mx = matrix.get((scope, kw))
                if scope == "option" and info.get("optarray"):
                    if code:
                        secs = code
                    elif mx:
                        secs = mx[0]
                    else:
                        secs, origin = fallback_sections(
                            (scope, kw), last_matrix, matrix, (), None)
                    if mx and code and mx[0] != code:
                        diag["matrix"].append(
                            "%s: option '%s': matrix says %s, %s says %s "
                            "(table uses the code)" % (
                                vs, kw, fmt_sections(mx[0]),
                                info["optarray"], fmt_sections(code)))
                elif mx:
                    secs = mx[0]
                    if code and code != mx[0]:
                        diag["matrix"].append(
                            "%s: %s '%s': matrix says %s, code checks %s "
                            "(table uses the matrix)" % (
                                vs, scope, kw, fmt_sections(mx[0]),
                                fmt_sections(code)))
                else:
                    secs, origin = fallback_sections(
                        (scope, kw), last_matrix, matrix, (), code)
                    diag["matrix"].append(
                        "%s: %s '%s' is in the sources, not in the matrix "
                        "(sections from %s)" % (vs, scope, kw, origin))
                if mx and "deprecated" in mx[1]:
                    flags.add("deprecated")
                if scope == "option" and mx:
                    star = "*" in mx[1]
                    neg = info.get("negatable")
                    if star and neg == "no":
                        diag["matrix"].append(
                            "%s: option '%s' marked (*) in the matrix but "
                            "the code refuses 'no option %s'" % (vs, kw, kw))
            if st == "deprecated":
                flags |= {"deprecated", "warning"}
            args = None
            if scope in ("bind", "server"):
                args = info.get("args", "0")
                if info.get("args_alt"):
                    diag["notes"].append(
                        "%s: %s keyword '%s' registered with several "
                        "argument counts %s; first kept"
                        % (vs, scope, kw, sorted({args} | info["args_alt"])))
            neg = info.get("negatable") if scope == "option" else None
            if scope == "option" and neg is None:
                neg = "yes"
            per[(scope, kw)][v] = {
                "sections": secs if scope in ("proxy", "option", "timeout")
                else None,
                "args": args, "neg": neg, "flags": flags,
                "msg": msg if st == "deprecated" else None,
                "repl": replacement_of(msg) if st == "deprecated" and msg
                else None}
        # matrix entries the sources do not have
        for (scope, kw), (secs, notes) in sorted(matrix.items()):
            if scope == "proxy" and kw not in code_proxy and \
                    (scope, kw) not in removed:
                diag["matrix"].append(
                    "%s: matrix lists '%s', not found in the sources"
                    % (vs, kw))
            elif scope in ("option", "timeout") and \
                    (scope, kw) not in ex.kw:
                diag["matrix"].append(
                    "%s: matrix lists '%s %s', not found in the sources"
                    % (vs, scope, kw))
        log("read %s (%s): %d keywords" % (tag, commit[:12], len(ex.kw)))
    git.close()

    rows = []
    for (scope, kw), byv in per.items():
        groups = defaultdict(set)
        for v, p in byv.items():
            key = (fmt_sections(p["sections"]) if scope in
                   ("proxy", "option", "timeout") else "-",
                   p["args"] or "-", p["neg"] or "-", fmt_flags(p["flags"]),
                   "-", p["repl"] or "-", p["msg"] or "-")
            groups[key].add(v)
        for key, vs_ in groups.items():
            secs, args, neg, flags, rem, repl, msg = key
            rows.append((scope, kw, secs, args, neg, flags,
                         ranges(vs_, versions), rem, repl, msg, min(vs_)))
    for (scope, kw), byv in removed.items():
        accepted = set(per.get((scope, kw), {}).keys())
        # consecutive releases with the same severity form one phase
        phases = []
        for v in sorted(byv):
            sev, msg = byv[v]
            if phases and phases[-1][0] == sev and \
                    versions.index(v) == versions.index(phases[-1][2]) + 1:
                phases[-1][2] = v
                phases[-1][3] = msg
            else:
                phases.append([sev, v, v, msg])
        for sev, first, last, msg in phases:
            rem = first
            if first == versions[0]:
                m = RE_SINCE.search(msg)
                if m and (int(m.group(1)), int(m.group(2))) < first:
                    rem = (int(m.group(1)), int(m.group(2)))
            flags = {"warning"} if sev == "warning" else set()
            secs = ALL_PROXY if scope in ("proxy", "option", "timeout") \
                else "-"
            args = "-"
            if scope in ("bind", "server"):
                before = [v for v in accepted if v < first]
                if before:
                    args = per[(scope, kw)][max(before)]["args"] or "-"
            rows.append((scope, kw, secs, args, "-", fmt_flags(flags),
                         ranges(accepted, versions), "%d.%d" % rem,
                         clean_field(replacement_of(msg)), clean_field(msg),
                         min(accepted) if accepted else first))
    # keywords the sources stop knowing at all: HAProxy answers them as
    # unknown from that release on
    for key in sorted(set(per) | set(removed)):
        scope, kw = key
        accepted = set(per.get(key, {}).keys())
        known = accepted | set(removed.get(key, {}).keys())
        first_known = min(known)
        for i, v in enumerate(versions):
            if v <= first_known or v in known or versions[i - 1] not in known:
                continue
            secs = ALL_PROXY if scope in ("proxy", "option", "timeout") \
                else "-"
            args = "-"
            if scope in ("bind", "server"):
                before = [x for x in accepted if x < v]
                if before:
                    args = per[key][max(before)]["args"] or "-"
            rows.append((scope, kw, secs, args, "-", "-",
                         ranges(accepted, versions), "%d.%d" % v, "-", "-",
                         min(accepted) if accepted else v))
            diag["gone"].append("%d.%d: %s '%s' no longer in the sources"
                                % (v + (scope, kw)))
    rows.sort(key=lambda r: (r[0], r[1], r[10], r[7]) + tuple(r[:10]))
    return rows, commits, versions, diag, neg_messages


def vs_of(v):
    return "%d.%d" % v


def fallback_sections(key, last_matrix, matrix, siblings, code):
    """Sections of a keyword the release's matrix does not list: those of
    an earlier release's matrix, of a keyword parsed by the same code, of
    the capability the code checks, else all four."""
    if key in last_matrix:
        rel, (secs, notes) = last_matrix[key]
        return secs, "the %s matrix" % rel
    for sib in sorted(siblings):
        if (key[0], sib) in matrix:
            return matrix[(key[0], sib)][0], \
                "the matrix entry of '%s', parsed by the same code" % sib
    if code:
        return code, "the capability checked by the code"
    return set(PROXY_SECTIONS), "default: all four"


def proxy_cap_from_code(rel, info):
    for kind, path, fn, span in info["sources"]:
        p, cf = rel.find_function(fn, path)
        if not cf:
            continue
        toks = cf.tokens()
        a, b = span if span else cf.functions()[fn]
        c = branch_cap(toks, a, b)
        if c:
            return c
        body = "".join(toks[a:b])
        secs = None
        if "!(curpx->cap&PR_CAP_FE)" in body or \
                "!(curproxy->cap&PR_CAP_FE)" in body:
            secs = {"defaults", "frontend", "listen"}
        if "!(curpx->cap&PR_CAP_BE)" in body or \
                "!(curproxy->cap&PR_CAP_BE)" in body:
            secs = {"defaults", "backend", "listen"} if secs is None \
                else secs & {"defaults", "backend", "listen"}
        if secs:
            return secs
    return None


def write(rows, commits, out):
    lines = []
    lines.append("# HAProxy configuration keywords, per release.")
    lines.append("# Generated by tools/gen_tables/haproxy.py -- do not edit.")
    lines.append("# Regenerate with: " + COMMAND)
    lines.append("#   (HAPROXY_GIT_DIR: a git clone, bare or not, of "
                 "https://github.com/haproxy/haproxy)")
    lines.append("# Source: haproxy/haproxy, release tags read:")
    for tag, commit in commits:
        lines.append("#   %s %s" % (tag, commit))
    lines.append("# Columns are described in tools/gen_tables/"
                 "README-haproxy.md.")
    lines.append("\t".join(HEADER))
    for r in rows:
        lines.append("\t".join(clean_field(x) for x in r[:10]))
    text = "\n".join(lines) + "\n"
    if out == "-":
        sys.stdout.write(text)
    else:
        with open(out, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repo", required=True,
                    help="git directory of a haproxy/haproxy clone")
    ap.add_argument("--output", default=OUTPUT_PATH,
                    help="where to write the table ('-' for stdout)")
    ap.add_argument("--report", help="write the cross-check report here")
    a = ap.parse_args()
    rows, commits, versions, diag, negmsg = build(a.repo)
    write(rows, commits, a.output)
    counts = defaultdict(int)
    for r in rows:
        counts[r[0]] += 1
    rep = ["releases: " + " ".join(t for t, c in commits), "rows per scope:"]
    rep += ["  %-24s %d" % (s, counts[s]) for s in sorted(counts)]
    rep.append("negation refused for options after the check: %s"
               % sorted(set(m for m in negmsg.values() if m)))
    for k in ("matrix", "gone", "notes"):
        rep.append("== %s" % k)
        grouped = defaultdict(set)
        for x in diag[k]:
            v, _, text = x.partition(": ")
            grouped[text].add(tuple(int(n) for n in v.split(".")))
        for text in sorted(grouped, key=lambda t: (min(grouped[t]), t)):
            rep.append("  %s: %s" % (ranges(grouped[text], versions), text))
    text = "\n".join(rep) + "\n"
    if a.report:
        with open(a.report, "w", encoding="utf-8") as fh:
            fh.write(text)
    else:
        log(text)


if __name__ == "__main__":
    main()
