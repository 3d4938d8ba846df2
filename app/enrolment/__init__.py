"""Enrolment: registering a participant with the duplicate check, in one transaction."""
