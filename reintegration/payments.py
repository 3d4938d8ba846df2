"""Reinsertion payments: planned instalments and the payments made.

An instalment is paid once. A second payment of it is refused (409) with the first one named,
and so is a payment of an instalment already paid to the same person through another case: a
merge brings a duplicate registration's cases and payments onto one person, so "the same
person" covers registrations found to be one. The person's row is locked while a payment is
checked and written, as a merge locks it, so a payment and a merge never interleave.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from sqlmodel import Session, col, func, select

from app.core.audit import record_event
from app.core.crypto import FieldCrypto
from app.core.errors import Conflict, FieldError, ValidationFailed
from app.core.sealed import seal, unseal
from app.core.security import Principal
from app.registry.models import Person
from reintegration.access import scoped_case
from reintegration.engine import InstalmentPlan
from reintegration.enums import CaseStatus, EventKind, InstalmentStatus
from reintegration.models import BenefitPayment, Case, PaymentInstalment
from reintegration.schemas import InstalmentOut, InstalmentsIn, PaymentIn
from reintegration.timeline import append, check_version, claim

KIND = "reinsertion_instalment"
MINOR_UNITS = {"LYD": 1000, "USD": 100, "EUR": 100}
"""Smallest units per main unit of the currencies accepted (LYD: 1,000 dirhams)."""


def to_minor(amount: Decimal, currency: str, field: str = "amount") -> int:
    """An amount in the currency's smallest unit (422 naming `field` if it cannot be one)."""
    if currency not in MINOR_UNITS:
        raise ValidationFailed([FieldError("currency", "must be one of "
                                                       + ", ".join(MINOR_UNITS))])
    try:
        minor = Decimal(amount) * MINOR_UNITS[currency]
    except InvalidOperation as exc:
        raise ValidationFailed([FieldError(field, "not an amount")]) from exc
    if minor != minor.to_integral_value() or minor <= 0:
        raise ValidationFailed([FieldError(field, "not a payable amount in this currency")])
    return int(minor)


def to_major(minor: int, currency: str) -> Decimal:
    """An amount in the currency's main unit."""
    return Decimal(minor) / MINOR_UNITS.get(currency, 100)


def instalment_counts(session: Session, case_id: uuid.UUID) -> tuple[int, int]:
    """(instalments planned or paid, instalments still waiting to be paid) of a case."""
    rows = dict(session.exec(select(PaymentInstalment.status, func.count())
                             .where(PaymentInstalment.case_id == case_id)
                             .group_by(col(PaymentInstalment.status))).all())
    waiting = int(rows.get(InstalmentStatus.planned, 0))
    return waiting + int(rows.get(InstalmentStatus.paid, 0)), waiting


def plan_default(*, session: Session, case: Case, plan: InstalmentPlan,
                 on: date) -> list[dict[str, Any]]:
    """Plan a step's instalments from its pathway when it starts (nothing if the case has
    instalments already); what was planned, for the timeline."""
    if session.exec(select(PaymentInstalment.id)
                    .where(PaymentInstalment.case_id == case.id)).first() is not None:
        return []
    amount = to_minor(Decimal(plan.amount), plan.currency)
    rows = [PaymentInstalment(case_id=case.id, number=n + 1, amount=amount,
                              currency=plan.currency,
                              due_on=on + timedelta(days=n * plan.interval_days))
            for n in range(plan.count)]
    session.add_all(rows)
    return [{"number": r.number, "amount": plan.amount, "currency": r.currency,
             "due_on": r.due_on.isoformat()} for r in rows]


def plan_instalments(*, session: Session, crypto: FieldCrypto, actor: Principal,
                     case_id: uuid.UUID, body: InstalmentsIn) -> Case:
    """Set the instalments still to pay: listed ones are planned (new, or changed), planned
    ones not listed are cancelled, paid ones never change."""
    case = scoped_case(session, actor, case_id)
    check_version(session, case, body.version)
    if case.status == CaseStatus.closed:
        raise ValidationFailed([FieldError("status", "the case is closed")])
    numbers = [i.number for i in body.instalments]
    if len(set(numbers)) != len(numbers):
        raise ValidationFailed([FieldError("instalments", "each number once")])
    existing = {row.number: row for row in session.exec(
        select(PaymentInstalment).where(PaymentInstalment.case_id == case.id)).all()}
    errors = [FieldError(f"instalments.{n}", "already paid") for n in numbers
              if n in existing and existing[n].status == InstalmentStatus.paid]
    if errors:
        raise ValidationFailed(errors)
    wanted = {i.number: (to_minor(i.amount, i.currency, f"instalments.{i.number}.amount"),
                         i.currency, i.due_on) for i in body.instalments}
    claim(session, case, body.version)
    cancelled = []
    for number, row in existing.items():
        if number not in wanted and row.status == InstalmentStatus.planned:
            row.status = InstalmentStatus.cancelled
            cancelled.append(number)
            session.add(row)
    for number, (amount, currency, due_on) in wanted.items():
        row = existing.get(number) or PaymentInstalment(case_id=case.id, number=number,
                                                        amount=amount, due_on=due_on)
        row.amount, row.currency, row.due_on = amount, currency, due_on
        row.status = InstalmentStatus.planned
        session.add(row)
    append(session=session, crypto=crypto, actor=actor, case=case,
           kind=EventKind.instalments,
           facts={"planned": [{"number": n, "amount": str(to_major(a, c)), "currency": c,
                               "due_on": d.isoformat()} for n, (a, c, d) in
                              sorted(wanted.items())],
                  "cancelled": sorted(cancelled)})
    session.flush()
    return case


REFUSED = "payment.refused_double"
"""The audit action of a payment refused as a double claim (counted in the statistics)."""

T = TypeVar("T")


class DoubleClaim(Conflict):
    """A payment refused: the instalment was already paid to this person, in this case or
    through another case of theirs (registrations of one person, merged)."""

    def __init__(self, number: int, earlier: BenefitPayment, case: Case) -> None:
        same_case = earlier.case_id == case.id
        where = ("of this case" if same_case
                 else "to this person through another case (registrations of one person, "
                      "merged)")
        super().__init__(
            f"instalment {number} was already paid {where} on {earlier.paid_on.isoformat()}; "
            "a second payment is refused",
            [FieldError("instalment", "already paid")],
            extra={"paid": {"case_id": str(earlier.case_id),
                            "paid_on": earlier.paid_on.isoformat(),
                            "site": earlier.site_code, "same_case": same_case}})
        self.case_id = case.id
        self.site_code = case.site_code
        self.instalment = number
        self.same_case = same_case


def refusing_double_claims(*, session: Session, actor: Principal, act: Callable[[], T]) -> T:
    """Run a change that may record a payment. A payment it refuses as a double claim is
    kept on record — audited, and counted in the committee's statistics — in a transaction of
    its own (the request's changes are rolled back), then the refusal goes to the caller."""
    try:
        return act()
    except DoubleClaim as refused:
        session.rollback()
        record_event(session=session, actor=actor, action=REFUSED, object_type="case",
                     object_id=str(refused.case_id), site_code=refused.site_code,
                     details={"instalment": refused.instalment,
                              "same_case": refused.same_case})
        session.commit()
        raise


def record_payment(*, session: Session, crypto: FieldCrypto, actor: Principal,
                   case_id: uuid.UUID, body: PaymentIn) -> BenefitPayment:
    """Record the payment of a planned instalment; refuse (409) one already paid, in this
    case or to the same person through another case."""
    case = scoped_case(session, actor, case_id)
    check_version(session, case, body.version)
    if case.status == CaseStatus.closed:
        raise ValidationFailed([FieldError("status", "the case is closed")])
    if body.paid_on > date.today():
        raise ValidationFailed([FieldError("paid_on", "is in the future")])
    session.exec(select(Person.id).where(Person.id == case.person_id).with_for_update()).one()
    if session.exec(select(Case.person_id).where(Case.id == case.id)).one() != case.person_id:
        raise Conflict("this person was merged with another meanwhile; reload the case")
    instalment = session.exec(select(PaymentInstalment).where(
        PaymentInstalment.case_id == case.id,
        PaymentInstalment.number == body.instalment)).first()
    if instalment is None or instalment.status == InstalmentStatus.cancelled:
        raise ValidationFailed([FieldError("instalment", "no such planned instalment")])
    earlier = session.exec(select(BenefitPayment).where(
        BenefitPayment.person_id == case.person_id, BenefitPayment.kind == KIND,
        BenefitPayment.instalment == body.instalment)
        .order_by(col(BenefitPayment.paid_on))).first()
    if earlier is not None:
        raise DoubleClaim(body.instalment, earlier, case)
    if (body.currency != instalment.currency
            or to_minor(body.amount, body.currency) != instalment.amount):
        raise ValidationFailed([FieldError("amount", "differs from the planned instalment")])
    claim(session, case, body.version)
    payment = BenefitPayment(person_id=case.person_id, case_id=case.id,
                             instalment_id=instalment.id, kind=KIND, instalment=body.instalment,
                             amount=instalment.amount, currency=instalment.currency,
                             paid_on=body.paid_on, method=body.method,
                             site_code=case.site_code, recorded_by_id=actor.id)
    seal(crypto, payment, {"reference": body.reference})
    instalment.status = InstalmentStatus.paid
    session.add(payment)
    session.add(instalment)
    append(session=session, crypto=crypto, actor=actor, case=case, kind=EventKind.payment,
           on=body.paid_on, action="payment.record",
           facts={"instalment": body.instalment, "amount": str(body.amount),
                  "currency": body.currency, "method": str(body.method),
                  "payment": str(payment.id)},
           sealed={"values": {"reference": body.reference} if body.reference else {}})
    session.flush()
    return payment


def instalment_views(session: Session, crypto: FieldCrypto,
                     case_id: uuid.UUID) -> list[InstalmentOut]:
    """A case's instalments with their payments (references decrypted)."""
    rows: Sequence[PaymentInstalment] = session.exec(
        select(PaymentInstalment).where(PaymentInstalment.case_id == case_id)
        .order_by(col(PaymentInstalment.number))).all()
    paid = {p.instalment_id: p for p in session.exec(
        select(BenefitPayment).where(BenefitPayment.case_id == case_id)).all()}
    views = []
    for row in rows:
        payment = paid.get(row.id)
        views.append(InstalmentOut(
            number=row.number, amount=to_major(row.amount, row.currency), currency=row.currency,
            due_on=row.due_on, status=row.status,
            paid_on=payment.paid_on if payment else None,
            method=payment.method if payment else None,
            reference=unseal(crypto, payment)["reference"] if payment else None))
    return views
