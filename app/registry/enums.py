"""Closed vocabularies of the registration domain."""

from enum import StrEnum


class Category(StrEnum):
    """Who is being registered."""

    libyan_combatant = "libyan_combatant"
    foreign_fighter = "foreign_fighter"
    associated_civilian = "associated_civilian"
    child = "child"


class Sex(StrEnum):
    """Sex as recorded on the form."""

    M = "M"
    F = "F"


class DobPrecision(StrEnum):
    """How well the date of birth is known."""

    exact = "exact"
    year = "year"
    estimated = "estimated"


class Pathway(StrEnum):
    """The programme track a person follows."""

    reintegration = "reintegration"
    child_protection = "child_protection"
    return_to_origin = "return_to_origin"


class PersonStatus(StrEnum):
    """A person is active, or merged into another person (never deleted)."""

    active = "active"
    merged = "merged"


class Verification(StrEnum):
    """How membership of an armed group was verified."""

    commander_list = "commander_list"
    group_id_card = "group_id_card"
    weapon_handover = "weapon_handover"
    witness = "witness"
    interview = "interview"
    not_verified = "not_verified"


class Education(StrEnum):
    """Highest level of education completed."""

    none = "none"
    primary = "primary"
    secondary = "secondary"
    vocational = "vocational"
    university = "university"


class WeaponType(StrEnum):
    """Kinds of weapon handed in."""

    pistol = "pistol"
    rifle = "rifle"
    machine_gun = "machine_gun"
    rocket_launcher = "rocket_launcher"
    grenade = "grenade"
    mortar = "mortar"
    ammunition = "ammunition"
    other = "other"


class WeaponCondition(StrEnum):
    """State of a weapon when handed in."""

    serviceable = "serviceable"
    unserviceable = "unserviceable"
    damaged = "damaged"


class Relationship(StrEnum):
    """A dependant's relation to the participant."""

    spouse = "spouse"
    child = "child"
    parent = "parent"
    sibling = "sibling"
    other = "other"


class IndexKind(StrEnum):
    """Kinds of blind index kept for a registration."""

    national_id = "nid"
    phone = "phone"
    passport = "passport"
    name = "name"
    block = "block"
