"""Reading files from the field: encodings and delimiters detected, XLSX cells as text, and
files that cannot be read refused as a whole."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from app.imports.reader import UnreadableFile, open_file

HEADER = ["record_id", "given_name", "family_name", "phone"]
ROWS = [["R1", "محمد", "الورفلي", "+218912345678"], ["R2", "Maïga", "Abdoulaye", "0912345678"]]


def csv_bytes(encoding: str, delimiter: str = ",", bom: bytes = b"") -> bytes:
    lines = [delimiter.join(row) for row in [HEADER, *ROWS]]
    return bom + ("\r\n".join(lines) + "\r\n").encode(encoding)


@pytest.mark.parametrize(
    ("content", "encoding", "delimiter"),
    [(csv_bytes("utf-8"), "utf-8", ","),
     (csv_bytes("utf-8", bom=b"\xef\xbb\xbf"), "utf-8-sig", ","),
     (csv_bytes("utf-16"), "utf-16", ","),
     (csv_bytes("utf-16-le"), "utf-16-le", ","),
     (csv_bytes("windows-1256", ";"), "windows-1256", ";"),
     (csv_bytes("utf-8", "\t"), "utf-8", "\t"),
     (csv_bytes("utf-8", "|"), "utf-8", "|")],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16le-no-bom", "windows1256-semicolon", "tab",
         "pipe"],
)
def test_encoding_and_delimiter_are_detected(content: bytes, encoding: str,
                                             delimiter: str) -> None:
    info, rows = open_file(io.BytesIO(content))
    assert (info.file_format, info.encoding, info.delimiter) == ("csv", encoding, delimiter)
    assert info.header == tuple(HEADER)
    assert list(rows) == ROWS


def test_a_file_valid_utf8_at_first_but_not_later_is_read_as_windows_1256() -> None:
    """The whole file is checked: an Arabic Windows byte after the first 64 KB still counts."""
    filler = "".join(f"R{i},Ali,Obeidi,0912345678\r\n" for i in range(4000)).encode()
    content = csv_bytes("utf-8") + filler + "R9,سالم,الفيتوري,\r\n".encode("windows-1256")
    info, rows = open_file(io.BytesIO(content))
    assert info.encoding == "windows-1256"
    assert list(rows)[-1] == ["R9", "سالم", "الفيتوري", ""]


def test_a_named_encoding_is_checked() -> None:
    with pytest.raises(UnreadableFile, match="not text in the encoding given"):
        open_file(io.BytesIO(csv_bytes("windows-1256")), encoding="utf-8")


def test_neutralised_formulas_are_read_back() -> None:
    content = b"record_id,phone\r\nR1,'+218912345678\r\nR2,'=1+1\r\nR3,'plain\r\n"
    _info, rows = open_file(io.BytesIO(content))
    assert list(rows) == [["R1", "+218912345678"], ["R2", "=1+1"], ["R3", "'plain"]]


def test_xlsx_cells_read_as_a_csv_export_would_hold_them() -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "registrations"
    sheet.append(["record_id", "date_of_birth", "_submission_time", "national_id", "count", ""])
    sheet.append(["R1", date(1988, 3, 2), datetime(2026, 11, 4, 16, 40, 11), 119880123456,
                  2.5, None])
    sheet.append(["R2", datetime(1990, 1, 1), None, None, 3.0, None])
    book.create_sheet("repeat_weapons").append(["weapon", "_parent_index"])
    buffer = io.BytesIO()
    book.save(buffer)
    info, rows = open_file(buffer)
    assert (info.file_format, info.sheet) == ("xlsx", "registrations")
    assert info.header == ("record_id", "date_of_birth", "_submission_time", "national_id",
                           "count")
    assert list(rows) == [["R1", "1988-03-02", "2026-11-04T16:40:11", "119880123456", "2.5", ""],
                          ["R2", "1990-01-01", "", "", "3", ""]]


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "empty"),
     (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Excel"),
     (b"PK\x03\x04not really a zip", "XLSX"),
     (b"\r\n\r\n", "no header row"),
     (b'record_id,given_name\r\nR1,"an open quote\r\n' + b"x" * 1_100_000, "malformed CSV")],
    ids=["empty", "xls", "broken-xlsx", "no-header", "open-quote"],
)
def test_unreadable_files_are_refused_whole(content: bytes, message: str) -> None:
    def read() -> None:
        _info, rows = open_file(io.BytesIO(content))
        list(rows)

    with pytest.raises(UnreadableFile, match=message):
        read()
