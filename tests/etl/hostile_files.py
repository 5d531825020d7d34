"""A hostile corpus, made on the spot: the files an attacker with an analyst's account would upload.

Each `Hostile` is a file name and its bytes plus the strings it carries that must come back literally
(never as a link, an image, markup or a formula). Built with openpyxl and by rewriting the xlsx zip, so
the attacks are the real byte shapes (a DOCTYPE in sharedStrings, nested entities), not descriptions.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from openpyxl import Workbook

PHISH = "[Đăng nhập lại](http://127.0.0.1:9/phish)"
PIXEL = "![p](http://127.0.0.1:9/pixel.png)"
IMG = "<img src=http://127.0.0.1:9/p.png>"
LINK = "[x](http://127.0.0.1:9/phish)"
FORMULAS = ['=HYPERLINK("http://127.0.0.1:9/x","y")', "=cmd|' /C calc'!A0", "+1+1", "-1+1", "@SUM(1,1)"]
RTL = "\u202e"
NUL = "\x00"
LONG = 100_000

# a real commune (Lào Cai, demo data), so a file can load when only its names are hostile
COMMUNE_CODE = "08377"
HEADERS = ["Mã xã", "Tên đơn vị", "Tổng số hồ sơ tiếp nhận", "Số hồ sơ trực tuyến"]


@dataclass
class Hostile:
    name: str  # the file name as uploaded
    data: bytes
    attack: str  # what it tries, in a few words
    strings: list[str] = field(default_factory=list)  # text from the file that must come back literally
    loads: bool = False  # a safe load is the expected outcome (else a typed error, nothing written)


def _xlsx(sheets: dict[str, list[list]], text_cells: tuple[str, ...] = ()) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
        for ref in text_cells:  # text that looks like a formula, as a pasted value would be
            sheet[ref].data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rewrite(data: bytes, member: str, change) -> bytes:
    """The same xlsx with one zip member's text changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == member:
                body = change(body.decode("utf-8")).encode("utf-8")
            target.writestr(info, body)
    return out.getvalue()


def _shared_strings_book() -> bytes:
    """An xlsx whose text cells live in sharedStrings.xml (openpyxl writes them there)."""
    return _xlsx({"Thang 9": [["BÁO CÁO THÁNG 9/2026"], HEADERS, [COMMUNE_CODE, "Xã Vân Bán", 300, 200]]})


def xxe() -> Hostile:
    """An external entity in sharedStrings that would pull /etc/passwd (or a URL) into a cell."""
    def inject(xml: str) -> str:
        doctype = ('<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
                   '<!ENTITY web SYSTEM "http://127.0.0.1:9/xxe">]>')
        xml = xml.replace("?>", "?>" + doctype, 1)
        return xml.replace("Xã Vân Bán", "&xxe;&web;", 1)
    return Hostile("xxe.xlsx", _rewrite(_shared_strings_book(), "xl/sharedStrings.xml", inject), "XXE in sharedStrings",
                   loads=True)


def billion_laughs() -> Hostile:
    """Nested entities that expand to 10^9 copies of "lol" if a parser expands them."""
    def inject(xml: str) -> str:
        entities = '<!ENTITY lol "lol">' + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
        xml = xml.replace("?>", f"?><!DOCTYPE sst [{entities}]>", 1)
        return xml.replace("Xã Vân Bán", "&lol9;", 1)
    return Hostile("billion_laughs.xlsx", _rewrite(_shared_strings_book(), "xl/sharedStrings.xml", inject),
                   "billion laughs in sharedStrings", loads=True)


def pdf_renamed() -> Hostile:
    pdf = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
           b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    return Hostile("bao_cao.xlsx", pdf, "a PDF renamed .xlsx")


def html_renamed() -> Hostile:
    page = (f"<html><body><table><tr><td>{IMG}</td><td>{LINK}</td></tr></table>"
            "<script>fetch('http://127.0.0.1:9/js')</script></body></html>").encode()
    return Hostile("bao_cao.xls", page, "an HTML page renamed .xls")


def path_traversal() -> Hostile:
    """A well-formed file whose name climbs out of any folder it might be saved in."""
    traversal = "../../etc/passwd.xlsx"  # an attack, not a path
    return Hostile(traversal, _shared_strings_book(), "a path-traversal file name", [traversal], loads=True)


def markup_names() -> Hostile:
    """Markdown, HTML and formulas as sheet name, header and unit names: a typed error (the units do not
    match), every name shown back as written."""
    sheet = "x <b>y =1 !(p) <i>"  # a sheet title cannot hold / \\ : ? * [ ]
    header = IMG + " " + PHISH
    units = [PHISH + " " + PIXEL, IMG, *FORMULAS]
    rows = [["BÁO CÁO THÁNG 9/2026"], [*HEADERS, header]]
    rows += [[None, unit, 100 + i, 50, 1] for i, unit in enumerate(units)]
    text_cells = tuple(f"B{3 + i}" for i in range(len(units))) + ("E2",)
    return Hostile("[x](http:127.0.0.1:9).xlsx", _xlsx({sheet: rows}, text_cells), "Markdown/HTML/formulas in names",
                   [sheet, header, *units])


def markup_names_loadable() -> Hostile:
    """The same payloads where a load is allowed: a sheet name and an extra column header (unmapped: it holds
    a phone number, which is reported but never taken for an indicator that would stop the load)."""
    sheet = "=HYPERLINK(1) <img>"
    header = LINK + " " + IMG
    rows = [["BÁO CÁO THÁNG 9/2026"], [*HEADERS, header], [COMMUNE_CODE, "Xã Vân Bán", 300, 200, 912345678]]
    return Hostile("payload.xlsx", _xlsx({sheet: rows}, ("E2",)), "payloads in sheet name and header of a good file",
                   [sheet, header], loads=True)


def invisible_characters() -> Hostile:
    """NUL and right-to-left override characters in header and unit names (CSV: xlsx cannot hold NUL)."""
    header = f"Ghi chú{NUL}{RTL}xslx.exe"
    unit = f"Xã{NUL} {RTL}nàB nâV"
    text = "\r\n".join([",".join(HEADERS + [header]), f"{COMMUNE_CODE},Xã Vân Bán,300,200,1",
                        f",{unit},100,50,1"])
    # a NUL makes the file binary to the reader: refused as not a spreadsheet, only its name is shown
    name = f"ky{RTL}xslx.csv"
    return Hostile(name, text.encode("utf-8"), "NUL and RTL override in names", [name])


def rtl_sheet() -> Hostile:
    sheet = f"Tháng 9{RTL}9 gnáhT"
    rows = [["BÁO CÁO THÁNG 9/2026"], HEADERS, [COMMUNE_CODE, f"Xã Vân Bán{RTL}", 300, 200]]
    return Hostile("rtl.xlsx", _xlsx({sheet: rows}), "RTL override in a sheet name", [sheet], loads=True)


def long_cells() -> Hostile:
    """100,000-character header and unit name."""
    header = "Tổng " + "x" * LONG
    unit = "Xã " + "y" * LONG
    text = "\r\n".join([",".join(HEADERS + [header]), f"{COMMUNE_CODE},Xã Vân Bán,300,200,1", f",{unit},100,50,1"])
    return Hostile("long.csv", text.encode("utf-8"), "100,000-character cells", [header[:80], unit[:80]])


def formulas_everywhere() -> Hostile:
    """A formula in every text field a load keeps and exports: sheet name, headers, unit name as written."""
    sheet = "=1+1"
    rows = [["=HYPERLINK(\"http://127.0.0.1:9/x\",\"y\")"], [*HEADERS, FORMULAS[1], FORMULAS[3]],
            [COMMUNE_CODE, FORMULAS[0], 300, 200, 1, 2], [None, FORMULAS[4], 100, 50, 1, 2]]
    return Hostile("formulas.xlsx", _xlsx({sheet: rows}, ("A1", "B3", "E2", "F2", "B4")), "formulas in text fields",
                   [sheet, *FORMULAS[:2], FORMULAS[3], FORMULAS[4]])


def corpus() -> list[Hostile]:
    return [xxe(), billion_laughs(), pdf_renamed(), html_renamed(), path_traversal(), markup_names(),
            markup_names_loadable(), invisible_characters(), rtl_sheet(), long_cells(), formulas_everywhere()]


def formula_like(text: str) -> bool:
    """Whether a spreadsheet would run `text` as a formula."""
    return bool(re.match(r"[=+\-@\t\r]", text))
