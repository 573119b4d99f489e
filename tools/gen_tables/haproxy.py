#!/usr/bin/env python3
"""Build data/tables/haproxy-keywords.tsv from HAProxy's own sources.

The table lists, for every HAProxy release vX.Y.0 from 2.0 on, the
configuration keywords HAProxy's parser accepts, in which sections, how many
arguments they take, the accepted values of their first word, whether a
placement outside their sections is fatal, and the keywords HAProxy refuses
as removed or warns about as deprecated, with the message it prints.

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
              "deprecated", "warning", "cap_fatal", "defaults_fatal")

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
        self.files_cache = files_cache
        self.other = {}          # path -> oid of the C files without keywords
        headers = []
        # An addon's headers name its keywords (`#define FLT_OT_ACTION_GROUP "ot-group"`);
        # read after include/'s, so that they never shadow a core definition.
        addon_headers = []
        out = git.run("ls-tree", "-r", tag, "--", "src", "addons", "include",
                      "doc/configuration.txt")
        for line in out.splitlines():
            meta, path = line.split("\t", 1)
            oid = meta.split()[2]
            if path == "doc/configuration.txt":
                self.doc = git.blob(oid)
            elif path.startswith("include/") and path.endswith(".h"):
                headers.append(git.blob(oid))
            elif path.startswith("addons/") and path.endswith(".h") \
                    and "/dummy/" not in path:
                addon_headers.append(git.blob(oid))
            elif (path.startswith("src/") or path.startswith("addons/")) \
                    and path.endswith(".c") and "/dummy/" not in path:
                text = git.blob(oid)
                if not any(m in text for m in MARKERS):
                    self.other[path] = oid
                    continue
                if oid not in files_cache:
                    files_cache[oid] = CFile(text)
                self.files[path] = files_cache[oid]
        self.headers = Headers(headers + addon_headers)
        self.func_index = None
        self.other_index = None

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

    def find_any_function(self, name, prefer=None):
        """As find_function, also in the C files that have no keyword."""
        p, cf = self.find_function(name, prefer)
        if cf is not None:
            return p, cf
        if self.other_index is None:
            self.other_index = {}
        if name not in self.other_index:
            found = None
            pat = re.compile(r"(?m)^[A-Za-z_][^\n;(]*\b%s\s*\(" % re.escape(name))
            for path in sorted(self.other):
                oid = self.other[path]
                text = self.git.blob(oid)
                if name not in text or not pat.search(text):
                    continue
                if oid not in self.files_cache:
                    self.files_cache[oid] = CFile(self.git.blob(oid))
                if name in self.files_cache[oid].functions():
                    found = path
                    break
            self.other_index[name] = found
        path = self.other_index[name]
        if path:
            return path, self.files_cache[self.other[path]]
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

    def __init__(self, rel, diag, argcache=None):
        self.argcache = {} if argcache is None else argcache
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
        self.read_default_acls()
        self.read_args()

    # ---- predefined ACLs (`TRUE`, `METH_GET`, `HTTP_2.0`, ...): default_acl_list[] in acl.c;
    # syslog facilities and levels: log.c
    def read_default_acls(self):
        cf = self.rel.files.get("src/acl.c")
        if cf is None:
            self.notes.append("src/acl.c not found: no predefined ACLs")
            return
        m = re.search(r"default_acl_list\s*\[\s*\]\s*=\s*\{(.*?)\n\};",
                      cf.nocomment, re.S)
        if not m:
            self.notes.append("default_acl_list not found in src/acl.c")
            return
        for name in re.findall(r'\.name\s*=\s*"([^"]+)"', m.group(1)):
            self.add("acl", name, sources=[("list", "src/acl.c", None, None)])
        # The words of a `log` line: log_facilities[] and log_levels[] in log.c.
        log = self.rel.files.get("src/log.c")
        for array, scope in (("log_facilities", "log-facility"), ("log_levels", "log-level")):
            m = log and re.search(r"\b%s\s*\[\s*\w*\s*\]\s*=\s*\{(.*?)\};" % array,
                                  log.nocomment, re.S)
            if not m:
                self.notes.append("%s[] not found in src/log.c" % array)
                continue
            for name in re.findall(r'"([^"]+)"', m.group(1)):
                self.add(scope, name, sources=[("list", "src/log.c", None, None)])

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

    def entry_keyword(self, f):
        """The keyword of a keyword-list entry: a string literal, or a macro that names one
        (`{ FLT_OT_ACTION_GROUP, flt_ot_group_parse }`, defined in an addon's header)."""
        if not f or not f[0]:
            return None
        name = f[0]
        if len(name) == 1 and not is_str(name[0]):
            raw = self.rel.headers.raw.get(name[0], "")
            name = [raw] if re.fullmatch(r'"[^"\\]*"', raw) else []
        if not name or not is_str(name[0]):
            return None
        return c_string(name)

    def read_bind_srv(self, path, scope, entries):
        for e in entries:
            f = entry_fields(e)
            kw = self.entry_keyword(f)
            if kw is None:
                continue
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
            kw = self.entry_keyword(f)
            if kw is None:
                continue
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
                             negatable="yes", optarray=name, capexpr=cap,
                             sources=[])
        # options handled one by one in the "option" branch
        opt = [x for x in self.chain_keywords(path, fn, "0")[1]
               if x[0] == "option"]
        if not opt:
            return
        _, _, obs, obe = opt[0]
        self.option_span = (p, fn, obs, obe)
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

    def read_args(self):
        """Argument counts, first-word values and fatal placements of the
        keywords of global, proxies, options, timeouts and the other
        sections (see ArgProfile)."""
        ctx = ArgCtx(self.rel, self.rel.headers)
        for fpath in sorted(self.rel.files):
            c = self.rel.files[fpath]
            if "struct cfg_opt" in c.raw:
                for name, (typ, tree) in c.initialisers().items():
                    if typ == "cfg_opt":
                        ctx.optarrays.add(name)
        self.argctx = ctx
        section_scopes = {n for n in self.sections if n not in SECTION_SCOPE_SKIP}
        for (scope, kw), info in sorted(self.kw.items()):
            if scope not in ("global", "proxy", "option", "timeout") and \
                    scope not in section_scopes:
                continue
            where = self.arg_source(scope, kw, info)
            if where is None:
                continue
            fl, a, b, known, optarray, optcap = where
            kwfunc = optcap == "func"
            if kwfunc:
                optcap = None
            # the same code, reading the same functions and constants, in
            # an earlier release: same answer
            anc = []
            R = fl.reg.get(a + 1)
            while R:
                kind_, cond, parent, extra = fl.regions[R]
                if cond and "".join(fl.toks[cond[0]:cond[1]]).find("args[0]") < 0:
                    anc.append((kind_, tuple(fl.toks[cond[0]:cond[1]])))
                R = parent
            ckey = (scope, kw, fl.fname, tuple(fl.toks[a:b]), tuple(anc),
                    tuple(w.text for w in known), optarray, optcap, kwfunc,
                    tuple(fl.params), tuple(sorted(ctx.optarrays)))
            hit = None
            for deps, result in self.argcache.get(ckey, ()):
                if all(ctx.dep_value(d) == v for d, v in deps):
                    hit = result
                    break
            if hit is not None:
                info["argprof"], info["values"] = hit
                continue
            ctx.deps = {}
            placements = list(PROXY_SECTIONS) if scope in (
                "proxy", "option", "timeout") else [None]
            profs = {}
            shared = {}
            for pl in placements:
                profs[pl] = ArgProfile(ctx, fl, a, b, known, pl, optarray,
                                       optcap, kwfunc=kwfunc, shared=shared)
            # first-word values, in the placement accepting the most counts
            best = max(placements, key=lambda pl: (
                len(profs[pl].accepted),
                ("listen", "backend", "frontend", "defaults", None).index(pl)
                * -1))
            if profs[best].accepted:
                vp = ArgProfile(ctx, fl, a, b, known, best, optarray, optcap,
                                want_values=True, kwfunc=kwfunc, shared=shared)
                values = vp.values
            else:
                values = None
            info["argprof"] = {pl: (tuple(pr.accepted), pr.star())
                               for pl, pr in profs.items()}
            info["values"] = values
            deps = tuple(sorted(ctx.deps.items(), key=lambda x: repr(x[0])))
            ctx.deps = None
            self.argcache.setdefault(ckey, []).append(
                (deps, (info["argprof"], values)))

    def arg_source(self, scope, kw, info):
        """(flow, span start, span end, known words, option array, option
        cap) of the code that parses keyword kw."""
        ctx = self.argctx
        if scope == "option":
            sp = getattr(self, "option_span", None)
            if sp is None:
                return None
            p, fn, obs, obe = sp
            fl = ctx.flow(fn, p)
            if fl is None:
                return None
            cap = None
            if info.get("optarray") and info.get("capexpr"):
                cap = 0
                for part in re.findall(r"[A-Z_][A-Z0-9_]*", info["capexpr"]):
                    v = self.rel.headers.value(part)
                    cap = None if v is None or cap is None else cap | v
            return (fl, obs, obe + 1, [W(0, "option"), W(1, kw)],
                    info.get("optarray"), cap)
        for kind, path, fn, span in info.get("sources", ()):
            if not fn:
                continue
            fl = ctx.flow(fn, path)
            if fl is None:
                continue
            if scope == "timeout":
                return (fl, fl.span[0], fl.span[1] + 1,
                        [W(0, "timeout"), W(1, kw)], None, "func")
            if kind == "branch":
                return (fl, span[0], span[1] + 1, [W(0, kw)], None, None)
            return (fl, fl.span[0], fl.span[1] + 1, [W(0, kw)], None, "func")
        return None

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
# argument counts, first-word values and fatal placements
# --------------------------------------------------------------------------
#
# A keyword's code (its branch of a section parser, or its keyword function,
# followed into the functions it hands the line's words to) is read as a
# small program: its statements and conditions are parsed, and for a line of
# a given number of words it is evaluated with three-valued logic (true,
# false, not known).  A line is refused when a fatal error (ERR_FATAL set, a
# negative return of a keyword parser, a too_many_args() hit) is reached on
# every path the known words allow, before any return or goto.  The words
# after the keyword are unknown, except that they are non-empty, and that
# each may be tried as one of the literals the code compares it with.

ARG_PROBE = tuple(range(0, 10)) + (16,)    # word counts tried; 16 = "many"
ARG_LIMIT = 9
CUR_NAMES = {"curproxy", "curpx", "proxy", "px"}
DEF_NAMES = {"defproxy", "defpx", "curr_defproxy"}
CMP_FUNCS = {"strcmp", "strcasecmp", "strncmp", "strncasecmp"}
TOO_MANY = {"too_many_args": (None, 1), "too_many_args_idx": (1, 2),
            "alertif_too_many_args": (None, 3),
            "alertif_too_many_args_idx": (1, 4)}
CAP_TESTS = {"warnifnotcap", "failifnotcap"}
ATOI = {"atoi", "atol", "atoll", "strtol", "strtoul", "strtoll", "strtoull"}
# functions whose word arguments are never parsed as keyword words
NO_FOLLOW = set(MSG_FUNCS) | {"memprintf", "strdup", "free", "strlen", "atol",
                               "atoi", "strtol", "strtoul", "my_strndup",
                               "indent_msg", "parse_time_err", "parse_size_err",
                               "invalid_char", "invalid_prefix_char",
                               "proxy_type_str", "chunk_printf", "chunk_appendf",
                               "printf", "snprintf", "sprintf", "strchr",
                               "strrchr", "strstr", "strcpy", "strncpy",
                               "calloc", "malloc", "realloc"}
# functions that take the rest of the line as a condition or an expression
CONSUMERS = ("build_acl_cond", "parse_acl_cond", "parse_acl", "sample_parse_expr",
             "parse_logformat_string", "parse_lf_expr", "lf_expr_compile")
TYPE_WORDS = {"const", "char", "int", "unsigned", "long", "short", "struct",
              "void", "signed", "uint", "ullong", "size_t", "enum", "float",
              "double", "uint8_t", "uint16_t", "uint32_t", "uint64_t",
              "int64_t", "int32_t"}
C_KEYWORDS = {"if", "else", "for", "while", "do", "switch", "case", "default",
              "return", "goto", "break", "continue", "sizeof"}
PLACEMENTS = {"defaults": 0x1 | 0x2 | 0x4, "frontend": 0x1, "backend": 0x2,
              "listen": 0x1 | 0x2}


class W:
    """A word of the line: its position and text (None: a word unlike every
    literal of the code, "" past the last word, ... not known at all)."""
    __slots__ = ("pos", "text")

    def __init__(self, pos, text):
        self.pos = pos
        self.text = text


class ArgsV:
    """The args array, shifted by n (args + n)."""
    __slots__ = ("shift",)

    def __init__(self, shift):
        self.shift = shift


class Fatal:
    """What a function returns after a fatal error: 'neg' (a negative
    return) or 'err' (an error code with ERR_FATAL)."""
    __slots__ = ("kind",)

    def __init__(self, kind):
        self.kind = kind


NONZERO = ("nonzero",)        # a character, not known, not NUL
OBJ_CUR = ("obj", "cur")      # the proxy being configured
OBJ_DEF = ("obj", "def")      # the defaults proxy


def sym(name):
    return ("sym", name)


class Headers:
    """Integer constants of include/: #define NAME value and enum members."""

    def __init__(self, texts):
        self.raw = {}
        self.values = {}
        for text in texts:
            t = strip_comments(text)
            for m in re.finditer(r"(?m)^[ \t]*#[ \t]*define[ \t]+([A-Z_][A-Z0-9_]*)"
                                 r"[ \t]+([^\n\\]+)$", t):
                self.raw.setdefault(m.group(1), m.group(2).strip())
            for m in re.finditer(r"\benum\s*\w*\s*\{([^{}]*)\}", t):
                prev = None
                for item in m.group(1).split(","):
                    item = re.sub(r"__attribute__.*", "", item).strip()
                    mm = re.match(r"([A-Za-z_]\w*)\s*(?:=\s*(.+))?$", item)
                    if not mm:
                        continue
                    name = mm.group(1)
                    if mm.group(2) is not None:
                        expr = mm.group(2).strip()
                    elif prev is None:
                        expr = "0"
                    else:
                        expr = "(%s)+1" % prev
                    self.raw.setdefault(name, expr)
                    prev = name

    def value(self, name, seen=()):
        if name in self.values:
            return self.values[name]
        raw = self.raw.get(name)
        if raw is None or name in seen:
            return None
        toks = RE_TOKEN.findall(raw)
        try:
            ast, _ = parse_expr(toks, 0, len(toks))
        except (IndexError, ValueError):
            ast = None
        v = const_eval(ast, self, seen + (name,)) if ast else None
        if not isinstance(v, int):
            v = None
        self.values[name] = v
        return v


def const_eval(ast, hdr, seen):
    kind = ast[0]
    if kind == "num":
        return ast[1]
    if kind == "id":
        return hdr.value(ast[1], seen)
    if kind == "un":
        v = const_eval(ast[2], hdr, seen)
        if not isinstance(v, int):
            return None
        return {"-": -v, "~": ~v, "!": int(not v), "+": v}.get(ast[1])
    if kind == "bin":
        a = const_eval(ast[2], hdr, seen)
        b = const_eval(ast[3], hdr, seen)
        if isinstance(a, int) and isinstance(b, int):
            return int_op(ast[1], a, b)
        return None
    if kind == "cast":
        return const_eval(ast[1], hdr, seen)
    return None


def int_op(op, a, b):
    try:
        return {"|": lambda: a | b, "&": lambda: a & b, "^": lambda: a ^ b,
                "+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                "/": lambda: int(a / b), "%": lambda: a % b,
                "<<": lambda: a << b, ">>": lambda: a >> b,
                "==": lambda: int(a == b), "!=": lambda: int(a != b),
                "<": lambda: int(a < b), ">": lambda: int(a > b),
                "<=": lambda: int(a <= b), ">=": lambda: int(a >= b),
                }[op]()
    except (KeyError, ZeroDivisionError, ValueError):
        return None


# ---- expressions

BIN_PREC = {"||": 4, "&&": 5, "|": 6, "^": 7, "&": 8, "==": 9, "!=": 9,
            "<": 10, ">": 10, "<=": 10, ">=": 10, "<<": 11, ">>": 11,
            "+": 12, "-": 12, "*": 13, "/": 13, "%": 13}


def parse_expr(toks, i, end, prec=0):
    """Parse toks[i:end] as a C expression (enough of it); returns (ast,
    next index).  Assignments, commas and anything else not handled give an
    'unk' node."""
    left, i = parse_unary(toks, i, end)
    while i < end:
        t = toks[i]
        if t == "?" and prec <= 3:
            a, i = parse_expr(toks, i + 1, end, 3)
            if i < end and toks[i] == ":":
                b, i = parse_expr(toks, i + 1, end, 3)
            else:
                b = ("unk",)
            left = ("tern", left, a, b)
            continue
        p = BIN_PREC.get(t)
        if p is None or p < prec or p <= 3 and prec > 3:
            if t in ("=", "|=", "&=", "+=", "-=", ","):
                return ("unk",), end
            break
        right, i = parse_expr(toks, i + 1, end, p + 1)
        left = ("bin", t, left, right)
    return left, i


def is_cast(toks, i, end):
    """toks[i] == '(' starting a cast?"""
    j = match_paren(toks, i)
    if j is None or j >= end or j == i + 1:
        return None
    inner = toks[i + 1:j]
    if not all(re.fullmatch(r"[A-Za-z_]\w*|\*", t) for t in inner):
        return None
    if not (inner[0] in TYPE_WORDS or inner[-1] == "*" or
            inner[0].endswith("_t")):
        return None
    if j + 1 < end and toks[j + 1] not in (")", ",", ";", "]") and \
            BIN_PREC.get(toks[j + 1]) is None or (j + 1 < end and toks[j + 1] in ("*", "&", "-", "!")):
        return j
    return None


def parse_unary(toks, i, end):
    t = toks[i]
    if t in ("!", "-", "~", "*", "&", "+"):
        x, i = parse_unary(toks, i + 1, end)
        return ("un", t, x), i
    if t in ("++", "--"):
        x, i = parse_unary(toks, i + 1, end)
        return ("unk",), i
    if t == "sizeof":
        if i + 1 < end and toks[i + 1] == "(":
            j = match_paren(toks, i + 1)
            return ("unk",), j + 1
        x, i = parse_unary(toks, i + 1, end)
        return ("unk",), i
    if t == "(":
        c = is_cast(toks, i, end)
        if c is not None:
            x, k = parse_unary(toks, c + 1, end)
            return ("cast", x), k
    return parse_postfix(toks, i, end)


def parse_postfix(toks, i, end):
    t = toks[i]
    if t == "(":
        j = match_paren(toks, i)
        x, _ = parse_expr(toks, i + 1, j)
        i = j + 1
    elif t.startswith('"'):
        j = i
        while j < end and toks[j].startswith('"'):
            j += 1
        x = ("str", c_string(toks[i:j]))
        i = j
    elif t.startswith("'"):
        body = t[1:-1]
        esc = {"\\0": 0, "\\n": 10, "\\t": 9, "\\r": 13, "\\\\": 92, "\\'": 39}
        x = ("num", esc.get(body, ord(body[0]) if body else 0))
        i += 1
    elif re.fullmatch(r"\d[\w.]*", t):
        m = re.fullmatch(r"(0[xX][0-9a-fA-F]+|\d+)[uUlL]*", t)
        if m and re.fullmatch(r"0[0-7]+", m.group(1)):
            x = ("num", int(m.group(1), 8))
        elif m and re.fullmatch(r"0\d+", m.group(1)):
            x = ("unk",)
        else:
            x = ("num", int(m.group(1), 0)) if m else ("unk",)
        i += 1
    elif re.fullmatch(r"[A-Za-z_]\w*", t):
        x = ("id", t, i)
        i += 1
    else:
        return ("unk",), i + 1
    while i < end:
        t = toks[i]
        if t == "(":
            j = match_paren(toks, i)
            args = []
            for sp in split_spans(toks, i + 1, j):
                args.append(parse_expr(toks, sp[0], sp[1])[0] if sp[0] < sp[1]
                            else ("unk",))
            name = x[1] if x[0] == "id" else None
            x = ("call", name, args, i, x)
            i = j + 1
        elif t == "[":
            j = match_paren(toks, i, "[", "]")
            idx, _ = parse_expr(toks, i + 1, j)
            x = ("idx", x, idx)
            i = j + 1
        elif t in ("->", ".") and i + 1 < end:
            x = ("mem", x, toks[i + 1])
            i += 2
        elif t in ("++", "--"):
            x = ("unk",)
            i += 1
        else:
            break
    return x, i


def split_spans(toks, a, b):
    out = []
    depth = 0
    s = a
    for j in range(a, b):
        t = toks[j]
        if t in "([{":
            depth += 1
        elif t in ")]}":
            depth -= 1
        elif t == "," and depth == 0:
            out.append((s, j))
            s = j + 1
    if s < b or out:
        out.append((s, b))
    return out


# ---- control flow of one function

class Flow:
    """Statements of one function body: nested regions (then/else/loop/case)
    with the condition deciding each, and the events the evaluator looks at:
    fatal errors, exits, calls, assignments."""

    def __init__(self, cf, fname):
        toks = cf.tokens()
        a, b = cf.functions()[fname]
        self.toks = toks
        self.fname = fname
        self.span = (a, b)
        self.regions = [("body", None, None, None)]   # kind, cond, parent, extra
        self.reg = {}
        self.events = []         # (pos, kind, region, data)
        self.defs = defaultdict(list)   # var -> [(pos, region, kind, data)]
        self.labels = {}
        self.label_region = {}
        self.switch_end = {}
        self.loop_memo = {}
        self.compared = None
        self.loops = {}          # loop region -> (start, end) of its body
        self.asts = {}
        # parameters
        close = a - 1
        self.params = []
        if close > 0 and toks[close] == ")":
            depth = 0
            j = close
            while j >= 0:
                if toks[j] == ")":
                    depth += 1
                elif toks[j] == "(":
                    depth -= 1
                    if depth == 0:
                        break
                j -= 1
            for s, e in split_spans(toks, j + 1, close):
                ids = [t for t in toks[s:e] if re.fullmatch(r"[A-Za-z_]\w*", t)]
                self.params.append(ids[-1] if ids else "")
        try:
            self.block(a + 1, b, 0)
        except (IndexError, TypeError, RecursionError):
            pass
        self.events.sort(key=lambda e: e[0])
        for var in self.defs:
            self.defs[var].sort(key=lambda d: d[0])
        # regions that end in a fatal error: a way out of them does not spare
        # the line from being refused
        self.fatal_regions = {e[2] for e in self.events if e[1] == "fatal"}
        for R, (kind, cond, parent, extra) in enumerate(self.regions):
            if kind == "then" and cond and any(
                    t in TOO_MANY for t in toks[cond[0]:cond[1]]):
                self.fatal_regions.add(R)
        # a label whose code reaches a fatal error before returning
        self.fatal_labels = {}
        for name, pos in self.labels.items():
            for ev in self.events:
                if ev[0] <= pos:
                    continue
                if ev[1] == "fatal":
                    self.fatal_labels[name] = ev[3]
                    break
                if ev[1] == "exit":
                    break

    def new_region(self, kind, cond, parent, extra=None):
        self.regions.append((kind, cond, parent, extra))
        return len(self.regions) - 1

    def ast(self, s, e):
        key = (s, e)
        if key not in self.asts:
            try:
                self.asts[key] = parse_expr(self.toks, s, e)[0] if s < e \
                    else ("num", 1)
            except (IndexError, TypeError, RecursionError):
                self.asts[key] = ("unk",)
        return self.asts[key]

    def block(self, i, end, R, switch=None):
        toks = self.toks
        cur = R
        while i < end:
            t = toks[i]
            if switch is not None and t == "case":
                j = i + 1
                while j < end and toks[j] != ":":
                    j += 1
                cur = self.new_region("case", switch, R, (i + 1, j))
                i = j + 1
                continue
            if switch is not None and t == "default" and toks[i + 1] == ":":
                cur = self.new_region("case", switch, R, None)
                i += 2
                continue
            i = self.stmt(i, end, cur)

    def cond_events(self, s, e, R):
        for j in range(s, e):
            self.reg[j] = R
        self.expr_events(s, e, R, "cond")

    def stmt(self, i, end, R):
        toks = self.toks
        t = toks[i]
        if t == ";":
            return i + 1
        if t == "{":
            j = match_brace(toks, i)
            self.block(i + 1, j, R)
            return j + 1
        if t == "if" and toks[i + 1] == "(":
            c1 = match_paren(toks, i + 1)
            cond = (i + 2, c1)
            self.cond_events(i + 2, c1, R)
            Rt = self.new_region("then", cond, R)
            k = self.stmt(c1 + 1, end, Rt)
            if k < end and toks[k] == "else":
                Re = self.new_region("else", cond, R)
                k = self.stmt(k + 1, end, Re)
            return k
        if t in ("for", "while") and toks[i + 1] == "(":
            c1 = match_paren(toks, i + 1)
            if t == "for":
                parts = []
                s = i + 2
                depth = 0
                for j in range(i + 2, c1):
                    if toks[j] in "([{":
                        depth += 1
                    elif toks[j] in ")]}":
                        depth -= 1
                    elif toks[j] == ";" and depth == 0:
                        parts.append((s, j))
                        s = j + 1
                parts.append((s, c1))
                while len(parts) < 3:
                    parts.append((c1, c1))
                init, cond, step = parts[0], parts[1], parts[2]
                self.expr_stmt(init[0], init[1], R)
            else:
                cond, step = (i + 2, c1), None
            self.cond_events(cond[0], cond[1], R)
            Rl = self.new_region("loop", cond, R)
            k = self.stmt(c1 + 1, end, Rl)
            self.loops[Rl] = (c1 + 1, k)
            if step is not None and step[0] < step[1]:
                self.expr_stmt(step[0], step[1], Rl, at=k - 1)
            return k
        if t == "do":
            Rl = self.new_region("loop", None, R)
            k = self.stmt(i + 1, end, Rl)
            self.loops[Rl] = (i + 1, k)
            if k < end and toks[k] == "while":
                c1 = match_paren(toks, k + 1)
                return c1 + 2
            return k
        if t == "switch" and toks[i + 1] == "(":
            c1 = match_paren(toks, i + 1)
            self.cond_events(i + 2, c1, R)
            if toks[c1 + 1] == "{":
                j = match_brace(toks, c1 + 1)
                self.switch_end[(i + 2, c1)] = j
                self.block(c1 + 2, j, R, switch=(i + 2, c1))
                return j + 1
            return self.stmt(c1 + 1, end, R)
        if t == "return":
            e = stmt_end(toks, i)
            e = end if e is None else e
            for j in range(i, e):
                self.reg[j] = R
            self.expr_events(i + 1, e, R, "return")
            ex = toks[i + 1:e]
            if ex in (["-", "1"], ["-1"]) or (len(ex) == 2 and ex[0] == "-" and
                                              ex[1].isdigit()):
                self.events.append((i, "fatal", R, "neg"))
            elif "ERR_FATAL" in ex or "ERR_ABORT" in ex:
                self.events.append((i, "fatal", R, "err"))
            self.events.append((i, "exit", R, ("return", (i + 1, e))))
            return e + 1
        if t == "goto":
            self.events.append((i, "goto", R, toks[i + 1]))
            return i + 3
        if t in ("break", "continue"):
            self.events.append((i, t, R, None))
            return i + 2
        if re.fullmatch(r"[A-Za-z_]\w*", t) and toks[i + 1] == ":" and \
                t not in C_KEYWORDS:
            self.labels[t] = i
            self.label_region[t] = R
            return i + 2
        if t == "else":
            return i + 1
        if re.fullmatch(r"[A-Za-z_]\w*", t) and toks[i + 1] == "(":
            c1 = match_paren(toks, i + 1)
            if c1 is not None and c1 + 1 < end and toks[c1 + 1] == "{":
                # a loop macro (list_for_each_entry(...) { ... }): its body
                # may run or not
                self.cond_events(i, c1 + 1, R)
                Rl = self.new_region("mloop", None, R)
                k = self.stmt(c1 + 1, end, Rl)
                self.loops[Rl] = (c1 + 1, k)
                return k
        e = stmt_end(toks, i)
        e = end if e is None or e > end else e
        self.expr_stmt(i, e, R)
        return e + 1

    def expr_stmt(self, s, e, R, at=None):
        toks = self.toks
        pos = s if at is None else at
        for j in range(s, e):
            self.reg[j] = R
        seg = toks[s:e]
        if ("ERR_FATAL" in seg or "ERR_ABORT" in seg) and \
                any(x in ("=", "|=") for x in seg):
            # through a pointer (*err_code |= ...): the caller's error code
            self.events.append((pos, "fatal", R, "ptr" if seg[0] == "*" else "err"))
        # assignments of plain variables (declarations included)
        for a, b in split_spans(toks, s, e):
            j = a
            depth = 0
            ops = []        # top-level assignment operators: (index, op)
            while j < b:
                x = toks[j]
                if x in "([{":
                    depth += 1
                elif x in ")]}":
                    depth -= 1
                elif depth == 0 and x in ("=", "|=", "+=", "-=", "&="):
                    ops.append((j, x))
                elif depth == 0 and x in ("++", "--"):
                    var = None
                    if j > a and re.fullmatch(r"[A-Za-z_]\w*", toks[j - 1]):
                        var = toks[j - 1]
                    elif j + 1 < b and re.fullmatch(r"[A-Za-z_]\w*", toks[j + 1]):
                        var = toks[j + 1]
                    if var:
                        self.defs[var].append((pos, R, "inc", 1 if x == "++" else -1))
                j += 1
            if ops:
                # a = b = expr: every plain variable on the left gets expr
                rhs = (ops[-1][0] + 1, b)
                starts = [a] + [o[0] + 1 for o in ops[:-1]]
                for st, (oj, op) in zip(starts, ops):
                    lhs = toks[st:oj]
                    if lhs and re.fullmatch(r"[A-Za-z_]\w*", lhs[-1]) and \
                            all(re.fullmatch(r"[A-Za-z_]\w*", y) for y in lhs):
                        kind = "set" if op == "=" else "op" + op[0]
                        self.defs[lhs[-1]].append((pos, R, kind, rhs))
        kind = "expr"
        if len(seg) > 2 and seg[1] == "|=":
            kind = "or"
        elif len(seg) > 2 and seg[1] == "=":
            kind = "assign"
        self.expr_events(s, e, R, kind, at=at)

    def expr_events(self, s, e, R, kind, at=None):
        toks = self.toks
        for j in range(s, e):
            if toks[j] == "(" and j > s and re.fullmatch(r"[A-Za-z_]\w*", toks[j - 1]) \
                    and toks[j - 1] not in C_KEYWORDS:
                k = match_paren(toks, j)
                if k is None:
                    continue
                pointer = j - 2 >= s and toks[j - 2] in ("->", ".")
                cpos = j - 1 if at is None else at
                self.events.append((cpos, "call", R,
                                    (toks[j - 1], j, k, kind, pointer)))
                # a variable whose address is handed over may change
                for q in range(j + 1, k - 1):
                    if toks[q] == "&" and re.fullmatch(r"[A-Za-z_]\w*", toks[q + 1]) \
                            and toks[q + 2] not in ("->", ".", "["):
                        self.defs[toks[q + 1]].append((cpos, R, "unk", j))

    def enclosing_loops(self, R):
        got = self.loop_memo.get(R)
        if got is not None:
            return got
        out = self._enclosing_loops(R)
        self.loop_memo[R] = out
        return out

    def _enclosing_loops(self, R):
        out = []
        while R is not None and R != 0:
            kind, cond, parent, extra = self.regions[R]
            if kind in ("loop", "mloop"):
                out.append(R)
            R = parent
        return out



class Env:
    """One evaluation: the words of the line, where it is placed, the bindings
    of the function's parameters, and memos."""

    def __init__(self, ctx, words, placement, optarray, optcap):
        self.ctx = ctx
        self.words = words
        self.placement = placement
        self.optarray = optarray
        self.optcap = optcap
        self.neutral = False     # words after the keyword not known at all
        self.handoff = set()
        self.clean_calls = set()
        self.pl_used = False
        self.cands = defaultdict(list)
        self.calls = {}
        self.steps = 0

    def word(self, k):
        if 0 <= k < len(self.words):
            return self.words[k]
        return W(k, "")


class Frame:
    def __init__(self, env, flow, bindings, depth):
        self.env = env
        self.flow = flow
        self.bindings = bindings
        self.depth = depth
        self.reach_memo = {}
        self.var_memo = {}
        self.skipped = []
        self.uncertain = False
        self.blocked = False


class ArgCtx:
    """Per release: where functions are, the header constants."""

    def __init__(self, rel, hdr):
        self.rel = rel
        self.hdr = hdr
        self.flows = {}
        self.optarrays = set()
        self.deps = None         # what an evaluation looked at, when recorded

    def hconst(self, name):
        v = self.hdr.value(name)
        if self.deps is not None:
            self.deps[("h", name)] = v
        return v

    def dep_value(self, dep):
        if dep[0] == "h":
            return self.hdr.value(dep[1])
        p, cf = self.rel.find_any_function(dep[1], dep[2])
        return None if cf is None else id(cf)

    def flow(self, fname, prefer=None):
        p, cf = self.rel.find_any_function(fname, prefer)
        if self.deps is not None:
            self.deps[("f", fname, prefer)] = None if cf is None else id(cf)
        if cf is None:
            return None
        key = (id(cf), fname)
        fl = self.flows.get(key)
        if fl is None:
            fl = cf.flows.get(fname) if hasattr(cf, "flows") else None
            if fl is None:
                fl = Flow(cf, fname)
                if not hasattr(cf, "flows"):
                    cf.flows = {}
                cf.flows[fname] = fl
            self.flows[key] = fl
        return fl


WUNK = ("wunk",)        # not known, and depending on the line's words
MAYBE = "maybe"         # truth value of such a condition


def wordish(v):
    return v is WUNK or isinstance(v, (W, ArgsV)) or \
        isinstance(v, tuple) and v and v[0] == "wordat"


def unk(*vals):
    """The unknown result of an operation on vals."""
    return WUNK if any(v is WUNK or isinstance(v, W) and v.text is ...
                       for v in vals) else None


def truth(v):
    if v is None:
        return None
    if v is WUNK:
        return MAYBE
    if isinstance(v, int):
        return v != 0
    if isinstance(v, W):
        return True            # a pointer to a string
    if isinstance(v, tuple) and v[0] == "sym":
        return None
    return True


def k_not(v):
    if v is None or v is MAYBE:
        return v
    return not v


def t_and(a, b):
    if a is False or b is False:
        return False
    if a is True and b is True:
        return True
    return MAYBE if MAYBE in (a, b) else None


def from_truth(t):
    if t is None:
        return None
    if t is MAYBE:
        return WUNK
    return int(t)


def eq(a, b, env):
    if a is WUNK or b is WUNK:
        return MAYBE
    if a is None or b is None:
        return None
    if isinstance(a, bool) or isinstance(b, bool):
        a, b = int(a) if isinstance(a, bool) else a, int(b) if isinstance(b, bool) else b
    if isinstance(a, int) and isinstance(b, int):
        return a == b
    for x, y in ((a, b), (b, a)):
        if x is NONZERO and isinstance(y, int):
            return False if y == 0 else MAYBE
        if isinstance(x, Fatal) and isinstance(y, int):
            return False if y == 0 else None
        if isinstance(x, W) and y == 0:
            return False
        if isinstance(x, tuple) and x[0] == "obj" and y == 0:
            return False
    if isinstance(a, tuple) and isinstance(b, tuple):
        if a[0] == "obj" and b[0] == "obj":
            if a == b:
                return True
            env.pl_used = True
            if env.placement is None:
                return None
            return env.placement == "defaults"
        if a[0] == "sym" and b[0] == "sym":
            return a[1] == b[1]
    return None


def word_cmp(a, b, n, env, fold):
    """strcmp-like comparison of two evaluated strings: 0, 1, or unknown."""
    def text(v):
        if isinstance(v, W):
            return v.text
        if isinstance(v, str):
            return v
        return False
    ta, tb = text(a), text(b)
    if ta is ... or tb is ... or a is WUNK or b is WUNK:
        return WUNK
    if ta is False or tb is False:
        return WUNK if wordish(a) or wordish(b) else None
    for w, other in ((a, tb), (b, ta)):
        if isinstance(w, W) and isinstance(other, str) and w.text is None:
            env.cands[w.pos].append((other, n is not None))
    if ta is None or tb is None:
        if ta is None and tb is None:
            return WUNK
        return 1           # a word unlike every literal
    if fold:
        ta, tb = ta.lower(), tb.lower()
    if n is not None:
        return int(ta[:n] != tb[:n])
    return int(ta != tb)


def ev(fr, ast):
    env = fr.env
    env.steps += 1
    kind = ast[0]
    if kind == "num":
        return ast[1]
    if kind == "str":
        return ast[1]
    if kind == "id":
        return lookup(fr, ast[1], ast[2])
    if kind == "cast":
        return ev(fr, ast[1])
    if kind == "un":
        op = ast[1]
        if op == "&":
            x = ast[2]
            if x[0] == "idx":
                base = ev(fr, x[1])
                idx = ev(fr, x[2])
                if isinstance(base, ArgsV) and isinstance(idx, int):
                    return ArgsV(base.shift + idx)
                return unk(base, idx)
            v = ev(fr, x)
            return v if isinstance(v, tuple) and v[0] == "obj" else None
        v = ev(fr, ast[2])
        if op == "!":
            return from_truth(k_not(truth(v)))
        if op == "*":
            return deref(env, v, 0)
        if isinstance(v, int):
            return {"-": -v, "~": ~v, "+": v}.get(op)
        return unk(v)
    if kind == "bin":
        op = ast[1]
        if op in ("&&", "||"):
            a = truth(ev(fr, ast[2]))
            if op == "&&" and a is False:
                return 0
            if op == "||" and a is True:
                return 1
            b = truth(ev(fr, ast[3]))
            if op == "&&":
                return from_truth(t_and(a, b))
            if b is True:
                return 1
            if a is False and b is False:
                return 0
            return WUNK if MAYBE in (a, b) else None
        if op == "&" and ast[3][:2] == ("id", "MODE_DISCOVERY"):
            # the configuration is read for real, not in the first pass
            # that only looks for a few global keywords
            return 0
        a = ev(fr, ast[2])
        b = ev(fr, ast[3])
        if op in ("==", "!="):
            r = eq(a, b, env)
            if op == "!=":
                r = k_not(r)
            return from_truth(r)
        if isinstance(a, ArgsV) and isinstance(b, int) and op in "+-":
            return ArgsV(a.shift + (b if op == "+" else -b))
        if isinstance(a, W) and isinstance(b, int) and op == "+":
            return ("wordat", a, b)
        if isinstance(a, Fatal) or isinstance(b, Fatal):
            f, o = (a, b) if isinstance(a, Fatal) else (b, a)
            if op == "<" and o == 0 and f is a:
                return int(f.kind == "neg")
            if op == ">" and o == 0 and f is a:
                return int(f.kind == "err")
            if op in ("&", "|"):
                return f if op == "|" else (1 if isinstance(o, int) and o else None)
            return None
        if isinstance(a, int) and isinstance(b, int):
            return int_op(op, a, b)
        if a is NONZERO and op in ("<", ">") and b == 0:
            return int(op == ">")
        return unk(a, b)
    if kind == "tern":
        c = truth(ev(fr, ast[1]))
        if c is None or c is MAYBE:
            return from_truth(c)
        return ev(fr, ast[2] if c else ast[3])
    if kind == "idx":
        base = ev(fr, ast[1])
        idx = ev(fr, ast[2])
        if isinstance(base, ArgsV) and isinstance(idx, int):
            return env.word(base.shift + idx)
        if isinstance(base, (W, str)) and isinstance(idx, int):
            return deref(env, base, idx)
        if isinstance(base, tuple) and base[0] == "optarr":
            return ("optel", base[1])
        return WUNK if wordish(base) or wordish(idx) else None
    if kind == "mem":
        base = ev(fr, ast[1])
        field = ast[2]
        if base == OBJ_CUR and field == "cap":
            p = env.placement
            env.pl_used = True
            return PLACEMENTS[p] if p else None
        if base == OBJ_DEF and field == "cap":
            return PLACEMENTS["defaults"]
        if isinstance(base, tuple) and base[0] == "optel":
            if base[1] == env.optarray:
                if field == "name":
                    return W(-1, env.words[1].text if len(env.words) > 1 else None)
                if field == "cap":
                    return env.optcap
            elif field == "name":
                return W(-2, None)
        return WUNK if wordish(base) else None
    if kind == "call":
        return call_value(fr, ast)
    return None


def deref(env, v, k):
    if isinstance(v, tuple) and v[0] == "wordat":
        v, k = v[1], v[2] + k
    if isinstance(v, ArgsV):
        return env.word(v.shift) if k == 0 else WUNK
    if isinstance(v, W):
        if v.text is ...:
            return WUNK
        if v.text is None:
            return NONZERO if k == 0 else WUNK
        return ord(v.text[k]) if k < len(v.text) else 0
    if isinstance(v, str):
        return ord(v[k]) if k < len(v) else 0
    return unk(v)


def lookup(fr, name, pos):
    env = fr.env
    if name in CUR_NAMES:
        return OBJ_CUR
    if name in DEF_NAMES:
        b = fr.bindings.get(name)
        return b if b is not None or name in fr.bindings else OBJ_DEF
    if name == "kwm":
        v = env.ctx.hconst("KWM_STD")
        return sym("KWM_STD") if v is None else v
    if name == "NULL":
        return 0
    key = (name, pos)
    if key in fr.var_memo:
        return fr.var_memo[key]
    fr.var_memo[key] = None          # cycles: not known
    v = lookup_def(fr, name, pos)
    fr.var_memo[key] = v
    return v


def lookup_def(fr, name, pos):
    fl = fr.flow
    defs = fl.defs.get(name, ())
    R = fl.reg.get(pos)
    if defs:
        # inside a loop, the first iteration is followed: the definitions
        # later in the loop body are not seen; after a loop, what the loop
        # may have set is not known
        here = set(fl.enclosing_loops(R)) if R is not None else set()
        for dpos, dreg, dkind, data in reversed(defs):
            if dpos >= pos:
                continue
            if fr.skipped and any(s0 < dpos < s1 for s0, s1 in fr.skipped):
                continue
            r = reach(fr, dreg)
            if r is False:
                continue
            if set(fl.enclosing_loops(dreg)) - here:
                return WUNK
            if r is None:
                return None
            if r is MAYBE:
                return WUNK
            if dkind == "set":
                s, e = data
                return ev(fr, fl.ast(s, e))
            if dkind == "unk":
                if (id(fl), data) in fr.env.clean_calls:
                    continue        # a function read here that did not fail
                return WUNK
            prev = lookup(fr, name, dpos)
            if dkind == "inc":
                if isinstance(prev, int):
                    return prev + data
                if isinstance(prev, ArgsV):
                    return ArgsV(prev.shift + data)
                return unk(prev)
            s, e = data
            v = ev(fr, fl.ast(s, e))
            op = dkind[2:]
            if op == "|" and (isinstance(v, Fatal) or isinstance(prev, Fatal)):
                return v if isinstance(v, Fatal) else prev
            if isinstance(prev, int) and isinstance(v, int):
                return int_op(op, prev, v)
            if isinstance(prev, ArgsV) and isinstance(v, int) and op in "+-":
                return ArgsV(prev.shift + (v if op == "+" else -v))
            return unk(prev, v)
    if name in fr.bindings:
        return fr.bindings[name]
    if name == "args":
        return ArgsV(0)
    if re.fullmatch(r"[A-Z_][A-Z0-9_]*", name):
        v = fr.env.ctx.hconst(name)
        return v if v is not None else sym(name)
    if name in fr.env.ctx.optarrays:
        return ("optarr", name)
    return None


def reach(fr, R):
    """Is region R of the frame's function entered: True, False, None (not
    known), MAYBE (not known, depends on the words)."""
    if R is None or R == 0:
        return True
    memo = fr.reach_memo
    if R in memo:
        return memo[R]
    memo[R] = None
    kind, cond, parent, extra = fr.flow.regions[R]
    up = reach(fr, parent)
    if up is False:
        memo[R] = False
        return False
    if kind == "mloop":
        c = None
    elif kind in ("then", "else", "loop"):
        if cond is None:
            c = True
        else:
            c = truth(ev(fr, fr.flow.ast(*cond)))
        if kind == "else":
            c = k_not(c)
    else:   # case
        if extra is None:
            c = None
        else:
            a = ev(fr, fr.flow.ast(*cond))
            b = ev(fr, fr.flow.ast(*extra))
            c = eq(a, b, fr.env)
    r = t_and(c, up)
    memo[R] = r
    return r


def call_value(fr, ast):
    env = fr.env
    _, name, args, pos, callee = ast
    if name is None:
        return None
    if name in CMP_FUNCS:
        if len(args) < 2:
            return None
        a = ev(fr, args[0])
        b = ev(fr, args[1])
        n = None
        if name.startswith("strn"):
            n = ev(fr, args[2]) if len(args) > 2 else None
            if not isinstance(n, int):
                if isinstance(b, str):
                    n = len(b)
                elif isinstance(a, str):
                    n = len(a)
                else:
                    return unk(a, b) or (WUNK if wordish(a) or wordish(b) else None)
        return word_cmp(a, b, n, env, "case" in name)
    if name == "strlen" and args:
        v = ev(fr, args[0])
        if isinstance(v, W):
            if v.text is ...:
                return WUNK
            return len(v.text) if v.text is not None else NONZERO
        return len(v) if isinstance(v, str) else unk(v)
    if name in TOO_MANY:
        idx_pos, args_pos = TOO_MANY[name]
        if len(args) <= args_pos:
            return None
        n = ev(fr, args[0])
        idx = ev(fr, args[idx_pos]) if idx_pos is not None else 0
        av = ev(fr, args[args_pos])
        if not (isinstance(n, int) and isinstance(idx, int) and isinstance(av, ArgsV)):
            return WUNK
        w = env.word(av.shift + idx + n + 1)
        if w.text is ...:
            return WUNK
        if w.text is None:
            return 1
        return int(w.text != "")
    if name in CAP_TESTS:
        if len(args) < 2:
            return None
        px = ev(fr, args[0])
        cap = ev(fr, args[1])
        env.pl_used = True
        if px == OBJ_CUR and env.placement and isinstance(cap, int):
            return int(not (PLACEMENTS[env.placement] & cap))
        return None
    if name in ATOI and args:
        # the number of a word: 0 for a missing one
        v = ev(fr, args[0])
        if isinstance(v, W) and v.text == "":
            return 0
        if isinstance(v, W) and isinstance(v.text, str) and re.fullmatch(r"-?\d+", v.text):
            return int(v.text)
        return WUNK if wordish(v) else None
    if name in NO_FOLLOW or name.startswith("ha_"):
        return None
    vals = [ev(fr, a) for a in args]
    words = any(wordish(v) for v in vals)
    if not any(isinstance(v, (ArgsV, W)) for v in vals):
        return WUNK if words else None
    if name.startswith(CONSUMERS):
        env.handoff.add("consumer")
        return WUNK
    fl = env.ctx.flow(name)
    if fl is None or fr.depth >= 3:
        if any(isinstance(v, ArgsV) for v in vals):
            env.handoff.add("unknown")
        return WUNK
    if not any(isinstance(v, ArgsV) for v in vals):
        # a word handed alone: followed only into a function comparing it
        names = [p for p, v in zip(fl.params, vals) if isinstance(v, W)]
        if fl.compared is None:
            toks = fl.toks
            a, b = fl.span
            fl.compared = {toks[j + k] for j in range(a, b - 4)
                           if toks[j] in CMP_FUNCS for k in (2, 4)}
        if not any(n in fl.compared for n in names):
            return WUNK
    bindings = {}
    for p, v in zip(fl.params, vals):
        if p:
            bindings[p] = v
    key = (name, tuple((p, id(v) if not isinstance(v, (int, str, tuple, W, ArgsV))
                        else (v.shift if isinstance(v, ArgsV) else
                              (v.pos, v.text) if isinstance(v, W) else v))
                       for p, v in sorted(bindings.items())))
    if key in env.calls:
        v = env.calls[key]
        if not isinstance(v, Fatal) and v is not WUNK:
            env.clean_calls.add((id(fr.flow), pos))
        return v
    env.calls[key] = WUNK
    sub = Frame(env, fl, bindings, fr.depth + 1)
    res = scan(sub, fl.span[0], fl.span[1])
    # an exit that may have been taken before: the value is not known (and,
    # when the words are not known either, neither is a fatal end)
    if res[0] == "fatal" and not (sub.uncertain and env.neutral):
        v = Fatal(res[1])
    elif res[0] == "ret" and not sub.uncertain and not sub.blocked:
        v = res[1]
    else:
        v = WUNK
    env.calls[key] = v
    if not isinstance(v, Fatal) and v is not WUNK:
        env.clean_calls.add((id(fr.flow), pos))
    return v


def scan(fr, a, b, events=None):
    """Run the events of toks[a:b]: ('fatal', kind) when a fatal error is
    surely reached, ('ret', value) at a reached return, ('goto', label),
    ('end', None) at the end, or ('maybe', None) when the budget ran out.
    Afterwards fr.blocked says whether an exit depending on the words may
    have been taken before, fr.uncertain whether any exit may have been."""
    fl = fr.flow
    env = fr.env
    fr.uncertain = False
    fr.blocked = False
    block_until = -1
    resume = None
    for ev_ in (events if events is not None else fl.events):
        pos, kind, R, data = ev_
        if pos < a or pos >= b:
            continue
        if resume is not None:
            if pos < resume:
                continue
            resume = None
        if env.steps > 200000:
            return ("maybe", None)
        r = reach(fr, R)
        if r is False:
            continue
        if r is not True and kind in ("fatal", "goto", "exit"):
            fr.uncertain = True
        if r is MAYBE and kind in ("goto", "exit") and R not in fl.fatal_regions \
                and not (kind == "goto" and data in fl.fatal_labels):
            fr.blocked = True
        sure = r is True and not fr.blocked and pos >= block_until
        if kind == "fatal":
            if sure:
                return ("fatal", data)
            continue
        if kind == "call":
            name, p, q, skind, pointer = data
            if pointer:
                toks = fl.toks
                if "args" in toks[p:q]:
                    env.handoff.add("consumer")
                continue
            if fl.toks[pos] != name:
                continue
            ast = fl.ast(pos, q + 1)
            if name in TOO_MANY:
                v = ev(fr, ast)
                ct = fl.toks[p:q]
                if sure and v == 1 and (name.startswith("alertif_") or
                                        "err_code" in ct):
                    k = ct.index("err_code") if "err_code" in ct else -1
                    return ("fatal", "err" if k > 0 and ct[k - 1] == "&" else "ptr")
                continue
            v = ev(fr, ast)
            if isinstance(v, Fatal) and sure:
                if v.kind == "ptr":
                    # the callee set the error code it was handed
                    return ("fatal", "ptr" if fl.params and "err_code" in fl.params
                            and "err_code" in fl.toks[p:q] else "err")
                if skind in ("or", "return"):
                    return ("fatal", v.kind if skind == "return" else "err")
            continue
        if kind == "goto":
            if r is True:
                lp = fl.labels.get(data)
                if lp is not None and pos < lp < b:
                    # jump: the code in between is not run
                    fr.skipped.append((pos, lp))
                    resume = lp
                    # the label's block is entered, whatever its condition
                    LR = fl.label_region.get(data)
                    if LR:
                        fr.reach_memo[LR] = True
                    continue
                if data in fl.fatal_labels and sure:
                    return ("fatal", fl.fatal_labels[data])
                return ("goto", data)
            continue
        if kind in ("break", "continue"):
            if r is not True and r is not MAYBE:
                continue
            # the rest of the loop body (of the switch, for a break) is not
            # run in this iteration
            Q = R
            end_ = None
            while Q:
                qk, qc, qp, qx = fl.regions[Q]
                if qk in ("loop", "mloop"):
                    end_ = fl.loops.get(Q, (0, None))[1]
                    break
                if qk == "case" and kind == "break":
                    end_ = fl.switch_end.get(qc)
                    break
                Q = qp
            if end_ is not None and end_ > pos:
                if r is True:
                    fr.skipped.append((pos, end_))
                    resume = end_
                else:
                    block_until = max(block_until, end_)
            continue
        if kind == "exit" and r is True:
            s, e = data[1]
            if s >= e:
                return ("ret", None)
            return ("ret", ev(fr, fl.ast(s, e)))
    return ("end", None)


class ArgProfile:
    """Word counts a keyword's code accepts in one placement, and the first
    word's accepted literals."""

    def __init__(self, ctx, fl, a, b, known, placement, optarray=None,
                 optcap=None, bindings=None, want_values=False, kwfunc=False,
                 shared=None):
        self.ctx = ctx
        self.kwfunc = kwfunc
        # runs that did not look at the placement, for every placement
        self.shared = {} if shared is None else shared
        self.own = {}
        self.fl = fl
        self.span = (a, b)
        self.known = list(known)
        self.kwpos = len(known) - 1
        self.placement = placement
        self.optarray = optarray
        self.optcap = optcap
        self.bindings = bindings or {}
        self.unknown_handoff = False
        self.budget_hit = False
        nw = self.known + [W(self.kwpos + 1 + j, ...) for j in range(20)]
        key = ("events", placement)
        self.events_pl = ("events", None) not in self.shared
        if ("events", None) in self.shared:
            self.events, self.seeds = self.shared[("events", None)]
        elif key in self.shared:
            self.events, self.seeds = self.shared[key]
        else:
            env = Env(ctx, nw, placement, optarray, optcap)
            env.neutral = True
            fr = Frame(env, fl, self.bindings, 0)
            self.events = [e for e in fl.events
                           if a <= e[0] < b and reach(fr, e[2]) is not False]
            # what is settled with no word known holds for every line
            self.seeds = {R: v for R, v in fr.reach_memo.items()
                          if v is True or v is False}
            self.shared[("events", None if not env.pl_used else placement)] = \
                (self.events, self.seeds)
            self.events_pl = env.pl_used
        self.accepted = self.probe()
        self.values = None
        if want_values and self.accepted:
            self.values = self.first_values()

    def probe(self):
        """The accepted counts among ARG_PROBE: 0..5 and 16 first; the
        counts in between only when they can tell something."""
        acc = {}
        for m in (0, 1, 2, 3, 4, 5, ARG_PROBE[-1]):
            acc[m] = self.accepts(m)
        if not (acc[5] and acc[ARG_PROBE[-1]]) or \
                not all(acc[m] for m in range(5) if any(acc[k] for k in range(m + 1))):
            for m in ARG_PROBE:
                if m not in acc:
                    acc[m] = self.accepts(m)
        else:
            for m in ARG_PROBE:
                acc.setdefault(m, True)
        return [m for m in ARG_PROBE if acc[m]]

    def run(self, words):
        key = tuple((w.pos, w.text) for w in words)
        got = self.shared.get(key) or self.own.get(key)
        if got is not None:
            ok, cands, handoff = got
            env = Env(self.ctx, words, self.placement, self.optarray, self.optcap)
            env.cands = cands
            env.handoff = handoff
            return ok, env
        res = self._run(words)
        ok, env = res
        (self.own if env.pl_used or self.events_pl else self.shared)[key] = \
            (ok, env.cands, env.handoff)
        return res

    def _run(self, words):
        env = Env(self.ctx, words, self.placement, self.optarray, self.optcap)
        fr = Frame(env, self.fl, dict(self.bindings), 0)
        fr.reach_memo.update(self.seeds)
        res = scan(fr, self.span[0], self.span[1], self.events)
        if res[0] == "maybe":
            self.budget_hit = True
        fatal = res[0] == "fatal"
        if res[0] == "ret" and not fr.blocked:
            v = res[1]
            if isinstance(v, Fatal):
                fatal = True
            elif isinstance(v, int):
                # a keyword parser's negative return; a section parser's
                # error code with ERR_FATAL or ERR_ABORT
                fatal = v < 0 if self.kwfunc else bool(v > 1 and v & 0x06)
        return not fatal, env

    def accepts(self, m, fixed=None):
        """Some line of m words after the keyword is not refused (fixed:
        {position: text} imposed)."""
        words = self.known + [W(self.kwpos + 1 + j, None) for j in range(m)]
        for p, t in (fixed or {}).items():
            if p < len(words):
                words[p] = W(p, t)
        budget = [16]
        first = self.kwpos + 1

        def dfs(words, j, res):
            ok, env = res
            if ok:
                if "unknown" in env.handoff and m == ARG_PROBE[-1]:
                    self.unknown_handoff = True
                return True
            if j >= min(m, 3) or budget[0] <= 0:
                return False
            pos = first + j
            if dfs(words, j + 1, res):
                return True
            if fixed and pos in fixed:
                return False
            seen = set()
            for lit, prefix in env.cands.get(pos, ()):
                if lit in seen or budget[0] <= 0:
                    continue
                seen.add(lit)
                budget[0] -= 1
                w2 = list(words)
                w2[pos] = W(pos, lit)
                if dfs(w2, j + 1, self.run(w2)):
                    return True
            return False

        return dfs(words, 0, self.run(words))

    def first_values(self):
        """Literals accepted as the first word, when a first word unlike
        every literal is refused whatever the count."""
        pos = self.kwpos + 1
        counts = [m for m in (1, 2, 3, ARG_PROBE[-1])]
        if any(self.accepts(m, {pos: None}) for m in counts):
            return None
        words = self.known + [W(self.kwpos + 1 + j, None) for j in range(1)]
        ok, env = self.run(words)
        lits = []
        for lit, prefix in env.cands.get(pos, ()):
            if (lit, prefix) not in lits:
                lits.append((lit, prefix))
        # literals compared further on only show when an earlier one is tried
        out = []
        tried = set()
        i = 0
        while i < len(lits) and i < 60:
            lit, prefix = lits[i]
            i += 1
            if lit in tried:
                continue
            tried.add(lit)
            w1 = self.known + [W(pos, lit)]
            ok, env = self.run(w1)
            for l2 in env.cands.get(pos, ()):
                if l2 not in lits:
                    lits.append(l2)
            if any(self.accepts(m, {pos: lit}) for m in counts):
                out.append(lit + ("*" if prefix and not lit.endswith("=") else ""))
        return out or None

    def star(self):
        """How to write the upper bound when many words are accepted: '*',
        or '?' when they go to code that is not read."""
        return "?" if self.unknown_handoff or self.budget_hit else "*"


def fmt_counts(acc, star):
    """MIN-MAX of the accepted word counts, or None when none is."""
    if not acc:
        return None
    lo = acc[0]
    if ARG_PROBE[-1] in acc:
        hi = star
    else:
        hi = max(m for m in acc if m <= ARG_LIMIT)
        hi = "?" if hi == ARG_LIMIT else str(hi)
    return "%d-%s" % (lo, hi)


def arg_summary(info, secs):
    """(args column, extra flags) of a keyword from its profiles; secs: the
    sections it is allowed in (proxy keywords), None for the others."""
    prof = info.get("argprof")
    if not prof:
        return None, set()
    flags = set()
    if secs is None:
        acc, star = prof.get(None, ((), "*"))
        args = fmt_counts(list(acc), star)
    else:
        acc = set()
        stars = set()
        for pl in PROXY_SECTIONS:
            if pl in secs and pl in prof:
                acc |= set(prof[pl][0])
                if ARG_PROBE[-1] in prof[pl][0]:
                    stars.add(prof[pl][1])
        args = fmt_counts(sorted(acc), "?" if "?" in stars else "*")
        if any(prof[pl][0] for pl in prof):
            # every line refused where the keyword is not allowed
            if any(pl not in secs and not prof[pl][0]
                   for pl in ("frontend", "backend", "listen") if pl in prof):
                flags.add("cap_fatal")
            if "defaults" not in secs and "defaults" in prof and \
                    not prof["defaults"][0]:
                flags.add("defaults_fatal")
    return args, flags


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
    fl += sorted(f for f in flags if f.startswith("values="))
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
    argcache = {}       # keyword code already evaluated in an earlier release
    for v, tag in tags:
        commit = git.run("rev-parse", tag + "^{commit}").strip()
        commits.append((tag, commit))
        rel = Release(git, tag, files_cache)
        ex = Extract(rel, diag, argcache)
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
            elif info.get("argprof"):
                pscope = scope in ("proxy", "option", "timeout")
                args, extra = arg_summary(info, (secs or set()) if pscope
                                          else None)
                flags |= extra
                if pscope:
                    for pl in PROXY_SECTIONS:
                        if pl in (secs or ()) and not info["argprof"][pl][0] \
                                and any(x[0] for x in info["argprof"].values()):
                            diag["fatal"].append(
                                "%s: %s '%s' always refused in a %s section, "
                                "which the table allows" % (vs, scope, kw, pl))
                vals = info.get("values")
                if vals and not (scope == "proxy" and kw in ("option", "timeout")):
                    vals = [x for x in vals if re.fullmatch(r"[^\s,|]+", x)]
                    if vals:
                        flags.add("values=" + "|".join(vals))
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
    for k in ("matrix", "gone", "fatal", "notes"):
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
