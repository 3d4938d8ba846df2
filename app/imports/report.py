"""An import's row-level report: the rejected rows as a file to fix and import again (the
file's own columns, with each row's number and problems in the reader's language), and the
problems of a row as text. Cells a spreadsheet would run as formulas are neutralised."""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TextIO

from sqlmodel import Session, col, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.sealed import unseal
from app.core.security import Principal
from app.core.spreadsheet import neutralise
from app.imports.enums import RowOutcome
from app.imports.models import ImportRow
from app.imports.service import get_job, header, job_mapping

Translate = Callable[[str], str]
REPORT_COLUMNS = ("_row", "_problems")


def problem_text(problems: Sequence[Mapping[str, Any]], columns: Mapping[str, str],
                 translate: Translate, labels: Mapping[str, str]) -> str:
    """A rejected row's problems in words: each field under the file's own column name, or
    as the form labels it (`labels`, translated) when the file has no column for it;
    separated as the language separates a list (`translate("; ")`: `؛ ` in Arabic)."""
    return translate("; ").join(f"{_field_name(p['field'], columns, translate, labels)}: "
                                f"{translate(p['message'])}" for p in problems)


def _field_name(field: str, columns: Mapping[str, str], translate: Translate,
                labels: Mapping[str, str]) -> str:
    if field in columns:
        return columns[field]
    return translate(labels[field]) if field in labels else field


def rejected_rows(*, session: Session, crypto: FieldCrypto, actor: Principal,
                  job_id: uuid.UUID, translate: Translate, labels: Mapping[str, str]
                  ) -> Iterator[list[str]]:
    """The rejects file's rows, its header first (an audited read of the rows' cells);
    `labels`: what the form calls each field (see :func:`problem_text`)."""
    job = get_job(session=session, actor=actor, job_id=job_id)
    columns = job_mapping(job).columns
    record_event(session=session, actor=actor, action="import.rejects_read",
                 object_type="import", object_id=str(job.id), site_code=job.site_code,
                 details={"rows": job.rejected})
    yield [*REPORT_COLUMNS, *header(job)]
    query = (select(ImportRow).where(ImportRow.job_id == job.id,
                                     ImportRow.outcome == RowOutcome.rejected.value)
             .order_by(col(ImportRow.row_number)))
    for row in session.exec(query):
        cells = json.loads(unseal(crypto, row, ("cells",))["cells"] or "[]")
        problems = problem_text(json.loads(row.problems), columns, translate, labels)
        yield [str(row.row_number), problems, *cells]


def write_rejects(out: TextIO, rows: Iterator[list[str]]) -> int:
    """Write the rejects file (UTF-8 with a byte-order mark, so that Excel reads Arabic);
    return how many rows it holds."""
    out.write("\ufeff")
    writer = csv.writer(out)
    count = -1
    for count, row in enumerate(rows):  # noqa: B007 - the count of rows written
        writer.writerow([neutralise(cell) for cell in row])
    return max(count, 0)
