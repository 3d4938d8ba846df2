"""Read a file brought in from the field, streaming: CSV in any common encoding and
delimiter (both detected, and reported), or an XLSX workbook (openpyxl, read-only).

Encodings: UTF-8 with or without its byte-order mark, UTF-16 (with a byte-order mark, or
without one when the zero bytes show it), and Windows-1256 for anything else — the 8-bit
encoding of Arabic Windows and Excel, which also holds the accented French letters of West
African names. A caller may name the encoding instead. The whole file is checked against the
encoding before any row is imported, so a wrong guess never stores half a file.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import BinaryIO

from app.core.errors import DomainError, FieldError
from app.core.spreadsheet import restore

SAMPLE = 64 * 1024
DELIMITERS = (",", ";", "\t", "|")
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "windows-1256",
             "windows-1252", "iso-8859-6")
MALFORMED = "malformed CSV (a quote left open, or a cell over a megabyte)"
csv.field_size_limit(1_000_000)  # one cell of a megabyte at most: a larger one is a broken file


class UnreadableFile(DomainError):
    """The file itself cannot be read: nothing of it is imported."""

    status_code = 422

    def __init__(self, message: str) -> None:
        super().__init__(message, [FieldError("file", message)])


@dataclass(frozen=True)
class FileInfo:
    """How a file is read: its format, and for CSV its encoding and delimiter."""

    file_format: str  # csv / xlsx
    header: tuple[str, ...]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

    def describe(self) -> str:
        """The reading in a few words, e.g. `csv windows-1256 ';'`."""
        if self.file_format == "xlsx":
            return f"xlsx sheet {self.sheet!r}"
        return f"csv {self.encoding} {self.delimiter!r}"


class _Text(io.TextIOWrapper):
    """Text read from a caller's binary file, which stays open (the caller owns it)."""

    def close(self) -> None:
        """Leave the binary file open."""


def detect_encoding(handle: BinaryIO) -> str:
    """The encoding of a CSV file (see the module's documentation)."""
    handle.seek(0)
    sample = handle.read(SAMPLE)
    if sample.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4:
        encoding = "utf-16-le"
    elif len(sample) >= 4 and sample[0::2].count(0) > len(sample) // 4:
        encoding = "utf-16-be"
    else:
        encoding = "utf-8" if _decodes(handle, "utf-8") else "windows-1256"
    return encoding


def _decodes(handle: BinaryIO, encoding: str) -> bool:
    """Whether the whole file is valid text in an encoding (read in chunks)."""
    decoder = codecs.getincrementaldecoder(encoding)()
    handle.seek(0)
    try:
        while chunk := handle.read(1024 * 1024):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _delimiter(line: str) -> str:
    """The delimiter of a header line: the most frequent of the usual ones (comma if none)."""
    counts = {d: line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def open_file(handle: BinaryIO, *, encoding: str | None = None, sheet: str | None = None
              ) -> tuple[FileInfo, Iterator[list[str]]]:
    """How the file reads, and its rows after the header (cells as text, "" when empty)."""
    handle.seek(0)
    magic = handle.read(8)
    if magic.startswith(b"PK\x03\x04"):
        return _open_xlsx(handle, sheet)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableFile("an old Excel file (.xls): save it as .xlsx or CSV")
    if not magic:
        raise UnreadableFile("the file is empty")
    return _open_csv(handle, encoding)


def _open_csv(handle: BinaryIO, encoding: str | None) -> tuple[FileInfo, Iterator[list[str]]]:
    if encoding is not None:
        if encoding.lower() not in ENCODINGS:
            raise UnreadableFile("unknown encoding (use utf-8, utf-16 or windows-1256)")
        if not _decodes(handle, encoding.lower()):
            raise UnreadableFile("the file is not text in the encoding given")
    encoding = (encoding or detect_encoding(handle)).lower()
    handle.seek(0)
    text = _Text(handle, encoding=encoding, newline="")
    first = text.readline()
    delimiter = _delimiter(first)
    text.seek(0)
    reader = csv.reader(text, delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error:
        raise UnreadableFile(MALFORMED) from None
    if not header or not any(h.strip() for h in header):
        raise UnreadableFile("no header row")
    info = FileInfo("csv", tuple(h.strip() for h in header), encoding, delimiter)
    return info, _csv_rows(reader)


def _csv_rows(reader: Iterator[list[str]]) -> Iterator[list[str]]:
    try:
        for row in reader:
            yield [restore(cell) for cell in row]
    except csv.Error:
        raise UnreadableFile(MALFORMED) from None


def _open_xlsx(handle: BinaryIO, sheet: str | None) -> tuple[FileInfo, Iterator[list[str]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(handle, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise UnreadableFile("not a readable XLSX workbook") from None
    if sheet is not None and sheet not in book.sheetnames:
        raise UnreadableFile("the workbook has no sheet of that name")
    worksheet = book[sheet] if sheet is not None else book.worksheets[0]
    rows = (["" if value is None else _cell_text(value) for value in row]
            for row in worksheet.iter_rows(values_only=True))
    header = next(rows, None)
    if not header or not any(h.strip() for h in header):
        raise UnreadableFile("no header row")
    while header and not header[-1].strip():
        header.pop()
    return FileInfo("xlsx", tuple(h.strip() for h in header), sheet=worksheet.title), rows


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return restore(str(value))
