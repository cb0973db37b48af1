#!/usr/bin/env python3
"""Flags comparisons of secrets that do not use the constant-time compare (SPEC §12).

`==` on a token, hash, code or password leaks through its timing how much of a guess matches,
and no behaviour test can see it. This check reads C++ sources and reports every comparison
(`==`, `!=`, `.compare(`, `memcmp`, `bcmp`, `strcmp`, `strncmp`, `std::equal`) of which an
operand looks like a secret by its name: the last name of the operand (`x.token_hash`,
`HashOf(e)`, `*code`) contains one of the words in SECRET_WORDS (split at `_` and case changes,
so `status_code` counts and `encode` does not). Comparing with a literal, a `kConstant`,
`nullptr` or `npos` is not reported: the other side is public.

A comparison that is fine (a public value with a secret-sounding name) carries a reviewed
marker on its line or the line above: `// ct-ok: <reason>`; the reason is required.
Secrets are compared with core::ConstantTimeEquals (or sodium_memcmp), which this check leaves
alone.

Usage: check_secret_compare.py [PATH ...]   (default: src/ of the repository; exit 1 on findings)
       check_secret_compare.py --self-test SAMPLE
           checks that exactly the lines of SAMPLE marked `// expect-flag` are reported.
Python 3 standard library only.
"""

import os
import re
import sys

SECRET_WORDS = {
    "hash", "hashes", "token", "tokens", "secret", "secrets", "mac", "macs", "hmac", "code",
    "codes", "signature", "signatures", "sig", "digest", "digests", "password", "passwords",
    "passphrase", "otp", "totp", "hotp", "csrf", "verifier", "credential", "credentials",
}
# Calls that only convert or move their argument: the argument is the operand.
TRANSPARENT_CALLS = {"string", "string_view", "move", "span", "basic_string", "begin", "end",
                     "cbegin", "cend", "data"}
# Members that give access to the object's own bytes: the object is the operand.
ACCESSORS = {"begin", "end", "cbegin", "cend", "rbegin", "rend", "data", "c_str"}
MARKER = re.compile(r"//\s*ct-ok:\s*\S")
EXPECT = "// expect-flag"
SOURCE_EXTENSIONS = (".cpp", ".cc", ".hpp", ".h")
COMPARE_CALLS = re.compile(r"(?<![\w.>])(?:std\s*::\s*|::)?(memcmp|bcmp|strcmp|strncmp|equal)\s*\(")
COMPARE_METHOD = re.compile(r"(?:\.|->)\s*compare\s*\(")
EQUALITY = re.compile(r"(?<![=!<>])(==|!=)(?!=)")
IDENT = re.compile(r"[A-Za-z_]\w*")


def strip_code(text):
    """The text with comments blanked and literals replaced by `0` placeholders of the same
    length (newlines kept), so offsets and line numbers still match the source."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "R" and text.startswith('R"', i) and (i == 0 or not text[i - 1].isalnum()):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            end = text.find(")" + (m.group(1) if m else "") + '"', i)
            j = n if end < 0 else end + len(m.group(1) if m else "") + 2
            out.append(literal(text[i:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(literal(text[i:j]))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def literal(chunk):
    body = re.sub(r"[^\n]", " ", chunk)
    return "0" + body[1:] if body else body


def words_of(name):
    """Lower-case words of an identifier: token_hash -> token, hash; KeyedHash -> keyed, hash."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name).replace("_", " ")
    return [w.lower() for w in spaced.split()]


def looks_secret(name):
    return any(w in SECRET_WORDS for w in words_of(name))


def is_public_constant(operand):
    """A literal, nullptr, true/false, npos, a kConstant or an enumerator `X::kY`."""
    text = operand.strip().lstrip("(").rstrip(")").strip()
    if not text:
        return True
    if re.fullmatch(r"[-+]?0[\s\w.']*", text) or re.fullmatch(r"[-+]?\d[\w.']*", text):
        return True  # numbers, and string/char literals (blanked to 0…)
    if text in ("nullptr", "NULL", "true", "false", "{}"):
        return True
    last = IDENT.findall(text)
    return bool(last) and (re.fullmatch(r"k[A-Z]\w*|npos|[A-Z][A-Z0-9_]+", last[-1]) is not None)


def matching(text, i, step, open_c, close_c):
    """Index just past the bracket group starting at i (step +1) or ending at i (step -1)."""
    depth = 0
    while 0 <= i < len(text):
        if text[i] == open_c:
            depth += 1
        elif text[i] == close_c:
            depth -= 1
        if depth == 0:
            return i + step
        i += step
    return i


def operand_before(text, end):
    """The postfix expression ending just before `end` (names, ., ->, ::, calls, subscripts)."""
    i = end - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    stop = i + 1
    while i >= 0:
        c = text[i]
        if c == ")":
            i = matching(text, i, -1, ")", "(")
        elif c == "]":
            i = matching(text, i, -1, "]", "[")
        elif c.isalnum() or c == "_":
            i -= 1
        elif c == "." or (c == ">" and i > 0 and text[i - 1] == "-") or (
                c == ":" and i > 0 and text[i - 1] == ":"):
            i -= 1 if c == "." else 2
        elif c.isspace():
            j = i
            while j >= 0 and text[j].isspace():
                j -= 1
            if j >= 0 and (text[j] in ".)]" or text[j - 1:j + 1] in ("->", "::")):
                i = j
            else:
                break
        else:
            break
    start = i + 1
    while start > 0 and text[start - 1] in "*&!":
        start -= 1
    return text[start:stop]


def operand_after(text, start):
    """The expression starting at `start`, up to the end of its postfix chain."""
    i = start
    while i < len(text) and (text[i].isspace() or text[i] in "*&!"):
        i += 1
    begin = i
    while i < len(text):
        c = text[i]
        if c == "(":
            i = matching(text, i, 1, "(", ")")
        elif c == "[":
            i = matching(text, i, 1, "[", "]")
        elif c.isalnum() or c == "_" or c == "'":
            i += 1
        elif c == "." or text.startswith("->", i) or text.startswith("::", i):
            i += 1 if c == "." else 2
        elif c.isspace() and re.match(r"\s*(\.|->|::|\()", text[i:]) and text[begin:i].strip():
            i += len(re.match(r"\s*", text[i:]).group(0))
        else:
            break
    return text[begin:i]


def leaf_names(operand):
    """The names that say what an operand is: its last name (`x.token_hash`, `HashOf(e)`,
    `codes[i]`); for a converting call (`std::string(x)`) the argument's; for an accessor
    (`x.data()`, `x.begin()`) the object's."""
    body = operand.strip().lstrip("*&!").strip()
    while body.endswith("]"):  # a subscript: the container names it
        body = body[:matching(body, len(body) - 1, -1, "]", "[") + 1].rstrip()
    if body.endswith(")"):
        open_at = matching(body, len(body) - 1, -1, ")", "(") + 1
        head, args = body[:open_at].rstrip(), body[open_at + 1:-1]
        m = re.search(r"([A-Za-z_]\w*)$", head)
        if not m:  # a parenthesised expression
            return leaf_names(args)
        if m.group(1) in ACCESSORS and re.search(r"(\.|->)\s*$", head[:m.start()]):
            return leaf_names(re.sub(r"(\.|->)\s*$", "", head[:m.start()]))
        if m.group(1) in TRANSPARENT_CALLS:
            return [n for arg in split_args(args) for n in leaf_names(arg)]
        return [m.group(1)]
    m = re.search(r"([A-Za-z_]\w*)$", body)
    return [m.group(1)] if m else []


def split_args(args):
    out, depth, cur = [], 0, []
    for c in args:
        if c in "([{<":
            depth += 1
        elif c in ")]}>":
            depth -= 1
        if c == "," and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    out.append("".join(cur))
    return [a for a in out if a.strip()]


def secret_leaf(operands):
    """The first secret-looking leaf name among operands that are compared with each other,
    unless one side is a public constant."""
    if any(is_public_constant(o) for o in operands):
        return None
    for o in operands:
        for name in leaf_names(o):
            if looks_secret(name):
                return name
    return None


def findings_in(text):
    """[(line number, what)] of the unmarked secret comparisons in one source text."""
    code = strip_code(text)
    lines = text.split("\n")
    found = []

    def report(pos, name, how):
        line = code.count("\n", 0, pos) + 1
        marked = MARKER.search(lines[line - 1]) or (
            line >= 2 and MARKER.search(lines[line - 2]) and lines[line - 2].strip().startswith("//"))
        if not marked:
            found.append((line, f"{how} on secret-looking `{name}`"))

    for m in EQUALITY.finditer(code):
        before = code[:m.start()].rstrip()
        if before.endswith("operator"):
            continue
        left, right = operand_before(code, m.start()), operand_after(code, m.end())
        name = secret_leaf([left, right])
        if name:
            report(m.start(), name, f"`{m.group(1)}`")
    for m in COMPARE_CALLS.finditer(code):
        close = matching(code, m.end() - 1, 1, "(", ")")
        args = split_args(code[m.end():close - 1])
        # memcmp(a, b, n) and the like: the length is not an operand.
        name = secret_leaf(args if m.group(1) == "equal" else args[:2])
        if name:
            report(m.start(), name, f"`{m.group(1)}`")
    for m in COMPARE_METHOD.finditer(code):
        close = matching(code, m.end() - 1, 1, "(", ")")
        name = secret_leaf([operand_before(code, m.start())] + split_args(code[m.end():close - 1]))
        if name:
            report(m.start(), name, "`compare`")
    return sorted(set(found))


def sources(paths):
    for path in paths:
        if os.path.isfile(path):
            yield path
            continue
        for root, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(files):
                if name.endswith(SOURCE_EXTENSIONS):
                    yield os.path.join(root, name)


def self_test(sample):
    with open(sample, encoding="utf-8") as f:
        text = f.read()
    expected = {i + 1 for i, line in enumerate(text.split("\n")) if EXPECT in line}
    got = {line for line, _ in findings_in(text)}
    if not expected:
        print(f"{sample}: no `{EXPECT}` lines: the self-test would prove nothing")
        return 1
    if got != expected:
        print(f"self-test FAILED on {sample}: missed lines {sorted(expected - got)}, "
              f"false alarms on lines {sorted(got - expected)}")
        return 1
    print(f"self-test passed: {len(expected)} planted comparisons caught, no false alarms")
    return 0


def main(argv):
    if argv[:1] == ["--self-test"] and len(argv) == 2:
        return self_test(argv[1])
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    paths = argv or [os.path.join(repo, "src")]
    total = 0
    for path in sources(paths):
        with open(path, encoding="utf-8", errors="replace") as f:
            for line, what in findings_in(f.read()):
                print(f"{os.path.relpath(path, repo)}:{line}: {what}: use core::ConstantTimeEquals, "
                      "or mark a reviewed public comparison `// ct-ok: <reason>`")
                total += 1
    if total:
        print(f"{total} secret comparison(s) without the constant-time compare")
        return 1
    print("no secret comparisons without the constant-time compare")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
