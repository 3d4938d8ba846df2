"""Service messages the web interface shows, listed so the catalogue translates them.

Services speak English and never echo values; the web translates their fixed texts. Messages
built with f-strings appear here in each form they can take.
"""

from __future__ import annotations

from app.dedup.signals import MESSAGES as SIGNAL_MESSAGES
from app.registry.enums import Category
from app.registry.validation import ADULT_AGE, MAX_AGE, MIN_AGE
from app.web.forms import N_

SERVICE_MESSAGES: tuple[str, ...] = (
    N_("5-20 letters and digits"),
    N_("a Libyan combatant has nationality LBY"),
    N_("a father's or family name is required"),
    N_("a foreign fighter is not of nationality LBY"),
    N_("already used with other data"),
    N_("already used"),
    N_("child is for people under 18 at registration"),
    N_("digits 2-5 are not a possible birth year"),
    N_("digits 2-5 do not match the birth year"),
    N_("exact needs a full date of birth"),
    N_("first digit does not match the sex"),
    N_("first digit must be 1 (male) or 2 (female)"),
    N_("give at least one search criterion"),
    N_("is before date_joined"),
    N_("is in the future"),
    N_("must be 12 digits"),
    N_("must be an ISO 3166-1 alpha-3 code, e.g. LBY"),
    N_("no field would change"),
    N_("no such active person"),
    N_("not a phone number"),
    N_("not a real calendar date"),
    N_("not a valid phone number"),
    N_("not in the managed list of armed groups"),
    N_("not yours"),
    N_("nothing to change"),
    N_("only Libyan nationals have a National Number"),
    N_("required (the year alone will do)"),
    N_("the participant's consent is required"),
    N_("unknown site code"),
    N_("use YYYY-MM-DD, or YYYY if only the year"),
    N_("cannot be corrected here"),
    N_("this id was already used for a different registration"),
    N_("receipt number already used"),
    N_("you may not register at this site"),
    N_("your role does not give access to identifying data"),
    N_("your role may not correct registrations"),
    N_("your role may not record weapons"),
    N_("your role may not register participants"),
    N_("person not found"),
    N_("registration not found"),
    N_("request refused: it came from another site"),
    N_("request refused: the page expired; reload it and try again"),
    N_("give the reason for the correction"),
    N_("Under 18 at registration: the child pathway applies. Hand the child over to child "
       "protection at once; adult demobilisation steps and cash benefits do not apply."),
    # duplicate review (app.dedup.review, signals, model_store)
    N_("your role does not review duplicates"),
    N_("only an administrator manages models"),
    N_("only an administrator activates a model"),
    N_("model version not found"),
    N_("pair not found"),
    N_("signal not found"),
    N_("this pair was changed by someone else meanwhile; reload it"),
    N_("this pair waits for a supervisor"),
    N_("say what is unclear for the supervisor"),
    N_("must be one of the pair's persons"),
    N_("these registrations were moved meanwhile; reload the pair"),
    N_("these persons were judged different on another pair; that decision must be reviewed "
       "first"),
    N_("this pair has no merge to undo"),
    N_("a supervisor confirmed this merge; only a supervisor can undo it"),
    N_("the persons changed after this merge (a later merge or move); undo that first"),
    N_("the form is damaged; reload the page"),
    # integrity signals: their reasons, and the document word of shared_document
    *SIGNAL_MESSAGES.values(),
    N_("passport"),
    N_("national"),
)

# The f-string messages of `app.registry.validation.classify`, in each form they take.
FORMATTED_MESSAGES: tuple[str, ...] = (
    f"age must be {MIN_AGE}-{MAX_AGE} at registration",
    *(f"required for {c.value}" for c in Category),
    *(f"this pair was already decided ({status}); reload it"
      for status in ("same_person", "different_persons", "superseded")),
)
assert ADULT_AGE == 18, "the child messages above say 18"
