"""A streaming reader for the first sheet of an XLSX workbook, values as text.

openpyxl builds an object per cell and needs minutes for 100,000 rows; an enrolment file
needs only each cell's text. This matches the sheet's XML with regular expressions, in
chunks (the small parts go through ElementTree, whose expat refuses entity expansion
attacks since 2.4.1): shared and inline strings, numbers (whole numbers without '.0'),
booleans, and cells styled as dates turned into YYYY-MM-DD.
"""

import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from html import unescape
from pathlib import Path
from xml.etree import ElementTree as ET

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
BUILTIN_DATE_FORMATS = frozenset({*range(14, 23), 45, 46, 47})
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')


class NotAWorkbook(ValueError):
    pass


def _first_sheet(archive: zipfile.ZipFile) -> tuple[str, bool]:
    """The path of the first sheet and whether the workbook counts from 1904."""
    workbook = ET.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
    pr = workbook.find(f"{MAIN}workbookPr")
    date1904 = pr is not None and pr.get("date1904") in ("1", "true")
    sheet = workbook.find(f"{MAIN}sheets/{MAIN}sheet")
    if sheet is None:
        raise NotAWorkbook("no sheet")
    rel_id = sheet.get(f"{REL}id")
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    for rel in rels.iter(f"{PKG_REL}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            path = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join("xl", target))
            )
            return path, date1904
    raise NotAWorkbook("no sheet relation")


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return []
    strings = []
    with archive.open("xl/sharedStrings.xml") as handle:
        for _event, element in ET.iterparse(handle):  # noqa: S314
            if element.tag == f"{MAIN}si":
                strings.append("".join(t.text or "" for t in element.iter(f"{MAIN}t")))
                element.clear()
    return strings


def _date_styles(archive: zipfile.ZipFile) -> frozenset[int]:
    """Indexes of the cell styles whose number format shows a date."""
    if "xl/styles.xml" not in archive.namelist():
        return frozenset()
    styles = ET.fromstring(archive.read("xl/styles.xml"))  # noqa: S314
    custom = set()
    for fmt in styles.iter(f"{MAIN}numFmt"):
        code = _QUOTED.sub("", fmt.get("formatCode", "")).lower()
        if "y" in code or "d" in code:
            custom.add(int(fmt.get("numFmtId", "0")))
    xfs = styles.find(f"{MAIN}cellXfs")
    if xfs is None:
        return frozenset()
    return frozenset(
        i
        for i, xf in enumerate(xfs.findall(f"{MAIN}xf"))
        if (n := int(xf.get("numFmtId", "0"))) in BUILTIN_DATE_FORMATS or n in custom
    )


def _column(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def _number(text: str, as_date: bool, epoch: date) -> str:
    try:
        value = float(text)
    except ValueError:
        return text
    if as_date:
        if value.is_integer():
            return (epoch + timedelta(days=int(value))).isoformat()
        return text
    return str(int(value)) if value.is_integer() and "e" not in text.lower() else text


# Every tag of interest in the sheet XML, with its attributes and the text right after it.
_TOKEN = re.compile(r"<(?:\w+:)?(row|c|v|t|/row)\b([^>]*)>([^<]*)")
_REF = re.compile(r'\br="([A-Z]+)')
_TYPE = re.compile(r'\bt="(\w+)"')
_STYLE = re.compile(r'\bs="(\d+)"')
_ROW_NUMBER = re.compile(r'\br="(\d+)"')
_ROW_TAG = re.compile(r"<(\w+:)?row\b")
CHUNK = 4 * 1024 * 1024  # characters of sheet XML read at a time


def _sheet_rows(
    handle, shared: list[str], dates: frozenset[int], epoch: date
) -> Iterator[tuple[int, list[str]]]:
    """Rows from the sheet's XML read in chunks, each cut after its last complete row."""
    text = io.TextIOWrapper(handle, encoding="utf-8")
    buffer, number, closing = "", 0, None
    columns: dict[str, int] = {}
    values: list[str] = []
    kind = style = None
    parts: list[str] | None = None

    def cell_text() -> str:
        value = unescape("".join(parts)) if parts else ""
        if kind == "s":
            return shared[int(value)] if value else ""
        if kind == "b":
            return "TRUE" if value == "1" else "FALSE"
        if kind in (None, "n") and value:
            return _number(value, style is not None and style in dates, epoch)
        return value

    while True:
        chunk = text.read(CHUNK)
        buffer += chunk
        if closing is None:
            found = _ROW_TAG.search(buffer)
            if found is None and chunk:
                continue
            closing = f"</{found.group(1) or '' if found else ''}row>"
        cut = len(buffer) if not chunk else buffer.rfind(closing)
        if cut < 0:
            continue
        cut = cut + len(closing) if chunk else cut
        for tag, attrs, after in _TOKEN.findall(buffer, 0, cut):
            if tag == "v" or tag == "t":
                if parts is not None:
                    parts.append(after)
            elif tag == "c":
                if parts is not None:
                    values.append(cell_text())
                ref = _REF.search(attrs)
                if ref:
                    letters = ref.group(1)
                    index = columns.get(letters)
                    if index is None:
                        index = columns[letters] = _column(letters)
                    if index > len(values):
                        values.extend([""] * (index - len(values)))
                found = _TYPE.search(attrs)
                kind = found.group(1) if found else None
                found = _STYLE.search(attrs)
                style = int(found.group(1)) if found else None
                parts = [] if not attrs.endswith("/") else None
                if parts is None:
                    values.append("")
            elif tag == "row":
                found = _ROW_NUMBER.search(attrs)
                number = int(found.group(1)) if found else number + 1
                values, parts = [], None
                if attrs.endswith("/"):
                    yield number, values
            else:  # </row>
                if parts is not None:
                    values.append(cell_text())
                    parts = None
                yield number, values
                values = []
        buffer = buffer[cut:]
        if not chunk:
            return


def rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(row number, cell texts) for every row of the first sheet, gaps filled with ''."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise NotAWorkbook(str(exc)) from None
    with archive:
        try:
            sheet, date1904 = _first_sheet(archive)
            shared = _shared_strings(archive)
            dates = _date_styles(archive)
        except (KeyError, ET.ParseError, ValueError) as exc:
            raise NotAWorkbook(str(exc)) from None
        epoch = date(1904, 1, 1) if date1904 else date(1899, 12, 30)
        try:
            with archive.open(sheet) as handle:
                yield from _sheet_rows(handle, shared, dates, epoch)
        except (KeyError, IndexError, ValueError, UnicodeDecodeError, zipfile.BadZipFile) as exc:
            raise NotAWorkbook(str(exc)) from None
