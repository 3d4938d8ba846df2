"""The live duplicate check's source of candidates (one adapter, so the engine can be swapped).

Candidates come from the matching engine's online mode (`app.dedup.service.find_candidates`);
`exact_candidates` (the registry's exact lookups) remains as the fallback engine.
"""

from __future__ import annotations

import re

from sqlmodel import Session

from app.core.crypto import FieldCrypto
from app.core.errors import ValidationFailed
from app.core.security import Principal
from app.dedup import service as dedup
from app.registry import queries
from app.registry.schemas import CandidateOut, Reason, SearchIn
from matching.explain import EXPLANATION_MESSAGES

_LOOKUPS = (  # draft field, search field, minimum digits/characters worth a lookup
    ("national_id", "national_id", 12),
    ("phone", "phone", 9),
    ("passport_no", "passport_no", 5),
)
_WEIGHTS = {"national_id": 8.0, "phone": 5.0, "passport_no": 8.0, "full_name": 3.0}


def find_candidates(
    *,
    session: Session,
    crypto: FieldCrypto,
    actor: Principal,
    draft: dict[str, str | None],
    limit: int = 10,
) -> list[CandidateOut]:
    """Return possible existing registrations of the person being typed in, best first."""
    return dedup.find_candidates(session=session, crypto=crypto, actor=actor, draft=draft,
                                 limit=limit)


def exact_candidates(
    *,
    session: Session,
    crypto: FieldCrypto,
    actor: Principal,
    draft: dict[str, str | None],
    limit: int = 10,
) -> list[CandidateOut]:
    """Candidates sharing a document number, a phone or the whole name (audited searches)."""
    found: dict[str, CandidateOut] = {}
    criteria: list[tuple[str, dict[str, str]]] = []
    for field, search_field, minimum in _LOOKUPS:
        value = (draft.get(field) or "").strip()
        if len(re.sub(r"[\s\-]", "", value)) >= minimum:
            criteria.append((field, {search_field: value}))
    names = [draft.get(f) for f in ("given_name", "father_name", "family_name")]
    if all(names):
        criteria.append(("full_name", {"name": " ".join(n for n in names if n)}))
    for field, query in criteria:
        try:
            result = queries.search(session=session, crypto=crypto, actor=actor,
                                    query=SearchIn(page_size=limit, **query))
        except ValidationFailed:
            continue  # half-typed value: nothing to look up yet
        level = "exact" if field == "full_name" else "same"
        template = EXPLANATION_MESSAGES[f"{field}.{level}"]
        params = {"a": query.get("name", "")}
        for hit in result.items:
            key = str(hit.id)
            candidate = found.get(key) or CandidateOut(
                registration_id=hit.id, registration_number=hit.registration_number,
                person_id=hit.person_id, site=hit.site, score=0.0, decision="possible",
                model_version="exact-lookup")
            candidate.reasons.append(Reason(
                field=field, level=level, weight=_WEIGHTS[field],
                message=template.format(**params), template=template, params=params))
            candidate.score = min(1.0, sum(r.weight for r in candidate.reasons) / 10)
            if candidate.score >= 0.8:
                candidate.decision = "match"
            found[key] = candidate
    return sorted(found.values(), key=lambda c: -c.score)[:limit]
