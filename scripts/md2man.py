#!/usr/bin/env python3
"""md2man.py - the markdown subset of docs/crashlab.1.md as a man page (roff, man macros).

    python3 scripts/md2man.py docs/crashlab.1.md > build/crashlab.1
    man -l build/crashlab.1

Why a converter of our own: the page's source stays readable markdown
beside the other docs (and renders on a forge), and the build needs nothing
beyond python3's standard library (no pandoc, no ronn).

The subset, and what each becomes:

    % name(1) | source | manual | date     the title line (.TH), first line
    <!-- ... -->                           dropped (may span lines)
    # SECTION                              .SH
    ## Subsection                          .SS
    text lines, a blank line ends them     a filled paragraph (.PP)
    four-space indented lines, or ```      a literal block (.nf, indented)
    term line, then ":   definition"       a tagged paragraph (.TP); the
      (continued by indented lines)          definition may run on
    "- item" (continued by indented lines) a bulleted paragraph (.IP)
    **bold**, *italic*, `code`             \\fB, \\fI, \\fB (code is literal)
    [text](target)                         text (a man page has no links)
    \\X (X punctuation)                     a literal X

Escaping: backslashes become \\e; a line of output never starts with "."
or "'" (a \\& goes in front); hyphens in code, bold and italic text
(options, paths, commands), in words that start with "-" and a lone "-"
become \\- so they stay ASCII hyphen-minus for copy and paste, while
hyphens inside ordinary words stay hyphens; characters outside ASCII become
groff glyph names or \\[uXXXX]. The page is set ragged-right without
hyphenation (.ad l, .nh): options, paths and file names must not be broken
at a line's end.

The page must render without groff warnings (groff -man -Tutf8 -ww).
Markdown outside the subset that would otherwise slip through as text (a
### heading, a table, an unmatched ** or `, an unclosed comment or fence)
is an error with its line number: it is more likely a typo than a wish.
"""

import re
import sys

GLYPHS = {
    "\u2014": r"\(em", "\u2013": r"\(en", "\u2018": r"\(oq", "\u2019": r"\(cq",
    "\u201c": r"\(lq", "\u201d": r"\(rq", "\u00d7": r"\(mu", "\u2264": r"\(<=",
    "\u2265": r"\(>=", "\u2192": r"\(->", "\u2026": r"\&.\|.\|.", "\u00a0": r"\~",
}
WIDTH = 72  # output lines are wrapped near here (groff fills them anyway)


class Md2ManError(Exception):
    pass


def glyphs(s):
    """Non-ASCII characters as groff escapes."""
    out = []
    for ch in s:
        if ord(ch) < 128:
            out.append(ch)
        else:
            out.append(GLYPHS.get(ch, r"\[u%04X]" % ord(ch)))
    return "".join(out)


def literal(s):
    """Text shown exactly as written: code spans and literal blocks."""
    return glyphs(s.replace("\\", r"\e").replace("-", r"\-"))


def plain(s):
    """Running text: backslashes escaped; an option written plainly (a word
    that starts with '-', or a lone '-') keeps every hyphen ASCII."""
    s = s.replace("\\", r"\e")
    s = re.sub(r"(?<![^\s(\[|])-[\w-]*", lambda m: m.group(0).replace("-", r"\-"), s)
    return glyphs(s)


def styled(s, font):
    """Bold or italic text: options, placeholders, paths."""
    return r"\f%s%s\fR" % (font, literal(s))


INLINE = re.compile(
    r"`(?P<code>[^`]+)`"
    r"|\*\*(?P<bold>[^*]+)\*\*"
    r"|\*(?P<ital>[^*\s][^*]*)\*"
    r"|\[(?P<ltext>[^\]]+)\]\((?P<ltarget>[^)\s]+)\)"
    r"|\\(?P<esc>[\\`*_\[\]()#+\-.!|<>{}])"
)


def inline(text, lineno):
    """One paragraph's markdown text as roff text (no line structure yet)."""
    out, pos = [], 0
    for m in INLINE.finditer(text):
        out.append(plain(text[pos:m.start()]))
        if m.group("code") is not None:
            out.append(styled(m.group("code"), "B"))
        elif m.group("bold") is not None:
            out.append(styled(m.group("bold"), "B"))
        elif m.group("ital") is not None:
            out.append(styled(m.group("ital"), "I"))
        elif m.group("ltext") is not None:
            out.append(inline(m.group("ltext"), lineno))
        else:
            out.append(literal(m.group("esc")))
        pos = m.end()
    out.append(plain(text[pos:]))
    s = "".join(out)
    for bad in ("**", "`"):
        if bad in s:
            raise Md2ManError("line %d: unmatched %r" % (lineno, bad))
    return s


def safe_line(s):
    """A text line roff will not take for a request."""
    return "\\&" + s if s[:1] in (".", "'") else s


def fill(s):
    """A paragraph's roff text as lines near WIDTH, split only at spaces."""
    lines, cur = [], ""
    for word in s.split():
        if cur and len(cur) + 1 + len(word) > WIDTH:
            lines.append(safe_line(cur))
            cur = word
        else:
            cur = cur + " " + word if cur else word
    if cur:
        lines.append(safe_line(cur))
    return lines


def quoted(s):
    """A macro argument in double quotes."""
    return '"%s"' % s.replace('"', r"\(dq")


def title(line, lineno):
    m = re.match(r"^%\s*(\S+)\((\w+)\)\s*(?:\|(.*))?$", line)
    if not m:
        raise Md2ManError("line %d: the first line must be '%% name(section) | source | manual | date'"
                          % lineno)
    name, sec = m.group(1), m.group(2)
    rest = [f.strip() for f in (m.group(3) or "").split("|")] + ["", "", ""]
    source, manual, date = rest[0], rest[1], rest[2]
    return ".TH %s %s %s %s %s" % (name.upper(), sec, quoted(plain(date)),
                                   quoted(plain(source)), quoted(plain(manual)))


def convert(text):
    src = text.split("\n")
    # comments first: they may span lines, and keep line numbers right
    joined = "\n".join(src)
    joined = re.sub(r"<!--.*?-->", lambda m: "\n" * m.group(0).count("\n"), joined, flags=re.S)
    if "<!--" in joined:
        raise Md2ManError("an HTML comment is not closed")
    src = joined.split("\n")
    if not src or not src[0].startswith("%"):
        raise Md2ManError("line 1: the first line must be '% name(section) | source | manual | date'")

    out = [title(src[0], 1), ".ad l", ".nh"]
    i, n = 1, len(src)
    para, para_line = [], 0

    def flush():
        nonlocal para
        if para:
            if not out[-1].startswith((".SH", ".SS")):
                out.append(".PP")
            out.extend(fill(inline(" ".join(para), para_line)))
            para = []

    while i < n:
        line = src[i]
        lineno = i + 1
        stripped = line.strip()
        if not stripped:
            flush()
            i += 1
            continue
        if line.startswith("```"):
            flush()
            block = []
            i += 1
            while i < n and not src[i].startswith("```"):
                block.append(src[i])
                i += 1
            if i == n:
                raise Md2ManError("line %d: fenced block not closed" % lineno)
            i += 1
            out.extend(literal_block(block))
            continue
        if line.startswith("    ") and not para:
            block = []
            while i < n and (src[i].startswith("    ") or not src[i].strip()):
                block.append(src[i][4:])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            out.extend(literal_block(block))
            continue
        m = re.match(r"^(#{1,2})\s+(.*?)\s*#*$", line)
        if m:
            flush()
            head = inline(m.group(2), lineno)
            out.append("%s %s" % (".SH" if len(m.group(1)) == 1 else ".SS", quoted(head)))
            i += 1
            continue
        if re.match(r"^#{3,}\s", line):
            raise Md2ManError("line %d: only # and ## headings are known" % lineno)
        if re.match(r"^[-*]\s+", line):
            flush()
            item = [re.sub(r"^[-*]\s+", "", line)]
            i += 1
            while i < n and src[i].startswith("  ") and src[i].strip():
                item.append(src[i].strip())
                i += 1
            out.append(r".IP \(bu 2")
            out.extend(fill(inline(" ".join(item), lineno)))
            continue
        if i + 1 < n and re.match(r"^:\s+", src[i + 1]) and not para:
            term = inline(stripped, lineno)
            body = [re.sub(r"^:\s+", "", src[i + 1])]
            i += 2
            while i < n and src[i].startswith("    ") and src[i].strip():
                body.append(src[i].strip())
                i += 1
            out.append(".TP")
            out.append(safe_line(term))
            out.extend(fill(inline(" ".join(body), lineno + 1)))
            continue
        if re.match(r"^:\s+", line):
            raise Md2ManError("line %d: a definition without its term line" % lineno)
        if line.startswith("|"):
            raise Md2ManError("line %d: tables are not in the subset" % lineno)
        if not para:
            para_line = lineno
        para.append(stripped)
        i += 1
    flush()
    return "\n".join(out) + "\n"


def literal_block(lines):
    out = [".PP", ".RS 4", ".nf"]
    for line in lines:
        out.append(safe_line(literal(line)) if line.strip() else "")
    out += [".fi", ".RE"]
    return out


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        sys.stderr.write("usage: md2man.py PAGE.md > PAGE.N\n")
        return 2
    try:
        with open(argv[1], encoding="utf-8") as f:
            sys.stdout.write(convert(f.read()))
    except (OSError, UnicodeDecodeError) as e:
        sys.stderr.write("md2man: %s\n" % e)
        return 2
    except Md2ManError as e:
        sys.stderr.write("md2man: %s: %s\n" % (argv[1], e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
