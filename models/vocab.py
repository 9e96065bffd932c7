"""The closed lists of the domain (DESIGN.md section 2)."""

from __future__ import annotations

from models.errors import N_

FIELDS = ("governance", "education-culture", "health", "social-inclusion")
PHASES = ("identification", "agreement", "implementation", "evaluation", "sharing")
# The phases' names, to translate where code (not a template) names them.
PHASE_NAMES = {
    "identification": N_("Identification"),
    "agreement": N_("Agreement"),
    "implementation": N_("Implementation"),
    "evaluation": N_("Evaluation"),
    "sharing": N_("Sharing"),
}
JOIN_POLICIES = ("open", "approval", "invitation")
LICENCES = (
    "CC-BY-SA-4.0",
    "CC-BY-4.0",
    "CC-BY-NC-SA-4.0",
    "CC-BY-ND-4.0",
    "CC0-1.0",
    "all-rights-reserved",
)
MEMBER_ROLES = ("admin", "moderator", "member")
MEMBER_STATES = ("invited", "pending", "accepted")
TWINNING_VISIBILITIES = ("public", "partners")
# ISO 3166-1 alpha-2 codes of the countries the project's partners come from most; any valid
# two-letter code is accepted, these are offered first in forms.
COMMON_COUNTRIES = (
    "AR",
    "BE",
    "BO",
    "BR",
    "CH",
    "CL",
    "CO",
    "CR",
    "CU",
    "DE",
    "DO",
    "EC",
    "ES",
    "FR",
    "GB",
    "GT",
    "HN",
    "IT",
    "LU",
    "MX",
    "NI",
    "NL",
    "PA",
    "PE",
    "PT",
    "PY",
    "SV",
    "UY",
    "VE",
)
