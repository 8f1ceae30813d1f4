#!/usr/bin/env python3
"""What a person sees in report.html, as headless Chromium rendered it.

usage:
  html_check.py dom DOM.html REPORT.json   the DOM Chromium dumped after loading the page
                                           (scripts would have run by then)
  html_check.py png SHOT.png               the screenshot: size, and verdict colours on it
  html_check.py hostile REPORT.json OUT.json
                                           writes a copy of a real run's report whose first
                                           cell's excerpt and title carry guest text that
                                           tries to end the <pre> or the table and run a
                                           script (then: crashlab html, and dom on it)
The checks print one line; exit 0 when the page shows what the report says.
"""
import json
import struct
import sys
import zlib
from html.parser import HTMLParser

RED = (0xF4, 0xB4, 0xB4)  # .v-crash in reports/cl_html.c


class Page(HTMLParser):
    """Title, grid cells, crash-group rows, <pre> texts and every tag of the page."""

    def __init__(self):
        super().__init__()
        self.open, self.tags, self.title, self.grid, self.groups, self.pre = [], [], "", [], [], []
        self.h2, self.table, self.row = "", None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        self.open.append(tag)
        if tag == "h2":
            self.h2 = ""
        elif tag == "table":
            self.table = "grid" if a.get("class") == "grid" else self.h2
        elif tag == "td" and self.table == "grid" and a.get("class"):
            self.grid.append(a["class"])
        elif tag == "tr" and self.table == "Crash groups":
            self.row = []
        elif tag == "pre":
            self.pre.append("")

    def handle_endtag(self, tag):
        if tag == "tr" and self.row is not None:
            self.groups.append(" ".join(self.row))
            self.row = None
        elif tag == "table":
            self.table = None
        while self.open and self.open.pop() != tag:
            pass

    def handle_data(self, data):
        where = self.open[-1] if self.open else ""
        if where == "title":
            self.title += data
        elif where == "h2":
            self.h2 += data
        if self.row is not None:
            self.row.append(data)
        if "pre" in self.open and self.pre:
            self.pre[-1] += data


def check_dom(dom_path, report_path):
    rep = json.load(open(report_path))
    p = Page()
    p.feed(open(dom_path, encoding="utf-8").read())
    want_title = "crashlab: %s - %s" % (rep["verdict"], rep["candidate"]["name"])
    verdicts = ["v-" + c["verdict"] for c in rep["cells"]]
    problems = []
    if p.title != want_title:
        problems.append("title %r, want %r" % (p.title, want_title))
    if sorted(p.grid) != sorted(verdicts):
        problems.append("grid %s, want %s" % (p.grid, verdicts))
    active = sorted(set(p.tags) & {"script", "img", "iframe", "object", "embed"})
    if active:
        problems.append("active elements in the page: %s" % active)
    for g in rep.get("groups", []):
        if not any(g["title"] in row and (g["module"] or "") in row for row in p.groups):
            problems.append("crash group %r not shown" % g["title"])
    excerpts = [c["excerpt"] for c in rep["cells"] if c.get("excerpt")]
    for e in excerpts:
        if not any(e.strip()[:200] in x for x in p.pre):
            problems.append("excerpt not shown as text: %r" % e[:60])
    if problems:
        print("; ".join(problems))
        return 1
    print("title, %d grid cells, %d crash groups, %d excerpts as text"
          % (len(p.grid), len(p.groups), len(excerpts)))
    return 0


def png_pixels(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            if depth != 8 or ctype not in (2, 6):
                raise ValueError("PNG colour type %d depth %d" % (ctype, depth))
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, stride, prev, rows = zlib.decompress(idat), w * bpp, bytearray(w * bpp), []
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                pa, pb, pc = abs(b - c), abs(a - c), abs(a + b - 2 * c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, bpp, rows


def check_png(path):
    w, h, bpp, rows = png_pixels(path)
    red = sum(1 for r in rows for x in range(0, len(r), bpp) if tuple(r[x:x + 3]) == RED)
    if w < 800 or h < 600 or red < 500:
        print("screenshot %dx%d with %d crash-red pixels" % (w, h, red))
        return 1
    print("screenshot %dx%d, %d crash-red pixels" % (w, h, red))
    return 0


def write_hostile(report_path, out_path):
    rep = json.load(open(report_path))
    c = rep["cells"][0]
    c["excerpt"] = (c["excerpt"] + '\n</pre><script>document.title="pwned"</script>'
                    '<img src=x onerror="document.title=1">')
    c["title"] = rep["groups"][0]["title"] = c["title"] + " </td></table><script>document.title=2</script>"
    json.dump(rep, open(out_path, "w"))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "dom":
        sys.exit(check_dom(sys.argv[2], sys.argv[3]))
    if len(sys.argv) == 3 and sys.argv[1] == "png":
        sys.exit(check_png(sys.argv[2]))
    if len(sys.argv) == 4 and sys.argv[1] == "hostile":
        sys.exit(write_hostile(sys.argv[2], sys.argv[3]))
    print(__doc__)
    sys.exit(2)
