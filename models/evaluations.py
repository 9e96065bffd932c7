"""Evaluations: at the end of each phase, each partner organisation of a twinning answers the
method's questions (what worked, what the digital tools changed, what was missing, what it
proposes) in its own language.

Answers are for the twinning's members, as partner-only items are, until a moderator of the
twinning publishes them; published answers are public and their proposals join the white
paper, as an appendix per twinning. One evaluation per organisation and phase: answering again
edits it (and an edit after publication stays published, as an edited update does)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

from tortoise import fields
from tortoise.models import Model

from models.accounts import Account
from models.config import LOCALES
from models.errors import N_, Invalid, NotAllowed
from models.organisations import Organisation, OrganisationMember
from models.phases import PhaseChange
from models.twinnings import Twinning, TwinningPartner, require_moderator
from models.visibility import member_twinning_ids

# The method's questions, in the order the form asks them.
QUESTIONS = {
    "worked": N_("What worked?"),
    "digital": N_("What did the digital tools change?"),
    "missing": N_("What was missing?"),
    "proposals": N_("What do you propose?"),
}
MAX_ANSWER = 5000


class Evaluation(Model):
    id = fields.IntField(primary_key=True)
    twinning: fields.ForeignKeyRelation[Twinning] = fields.ForeignKeyField(
        "models.Twinning", related_name="evaluations", on_delete=fields.CASCADE
    )
    twinning_id: int
    phase = fields.CharField(max_length=20)
    organisation: fields.ForeignKeyRelation[Organisation] = fields.ForeignKeyField(
        "models.Organisation", related_name="evaluations", on_delete=fields.CASCADE
    )
    organisation_id: int
    language = fields.CharField(max_length=5)
    answers: fields.JSONField[dict[str, str]] = fields.JSONField(default=dict)
    author: fields.ForeignKeyNullableRelation[Account] = fields.ForeignKeyField(
        "models.Account", related_name="evaluations", null=True, on_delete=fields.SET_NULL
    )
    author_id: int | None
    published_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "evaluations"
        unique_together = (("twinning", "phase", "organisation"),)


async def phases_entered(twinning: Twinning) -> list[str]:
    """The phases a twinning has been in, in order: the ones that may be evaluated."""
    rows = await PhaseChange.filter(twinning_id=twinning.id).order_by("entered_at", "id")
    seen = [r.phase for r in rows]
    if twinning.phase not in seen:
        seen.append(twinning.phase)
    return list(dict.fromkeys(seen))


async def answering_for(account: Account | None, twinning: Twinning) -> list[Organisation]:
    """The partner organisations ``account`` may answer for: those it belongs to, while it is
    an accepted member of the twinning."""
    if account is None or twinning.id not in await member_twinning_ids(account):
        return []
    partners = TwinningPartner.filter(twinning=twinning).values_list("organisation_id", flat=True)
    mine = OrganisationMember.filter(account=account).values_list("organisation_id", flat=True)
    ids = set(await partners) & set(await mine)
    return list(await Organisation.filter(id__in=ids).order_by("name"))


def _checked(answers: Mapping[str, str]) -> dict[str, str]:
    clean = {q: (answers.get(q) or "").strip() for q in QUESTIONS}
    for question, text in clean.items():
        if len(text) > MAX_ANSWER:
            raise Invalid(question, N_("at most %(n)s characters"), n=MAX_ANSWER)
    if not any(clean.values()):
        raise Invalid("answers", N_("answer at least one question"))
    return {q: text for q, text in clean.items() if text}


async def answer(
    account: Account,
    twinning: Twinning,
    phase: str,
    organisation_id: int,
    language: str,
    answers: Mapping[str, str],
) -> Evaluation:
    """Saves the organisation's answers for that phase, new or edited."""
    allowed = {o.id: o for o in await answering_for(account, twinning)}
    if organisation_id not in allowed:
        raise NotAllowed("organisation", N_("only members of a partner organisation answer for it"))
    if phase not in await phases_entered(twinning):
        raise Invalid("phase", N_("the twinning has not been in this phase"))
    if language not in LOCALES:
        raise Invalid("language", N_("choose one of the offered values"))
    values = {"language": language, "answers": _checked(answers), "author_id": account.id}
    evaluation, created = await Evaluation.get_or_create(
        twinning=twinning, phase=phase, organisation_id=organisation_id, defaults=values
    )
    if not created:
        await evaluation.update_from_dict(values).save()
    return evaluation


async def set_published(moderator: Account, evaluation: Evaluation, published: bool) -> None:
    twinning = await Twinning.get(id=evaluation.twinning_id)
    await require_moderator(moderator, twinning)
    evaluation.published_at = datetime.now(UTC) if published else None
    await evaluation.save(update_fields=["published_at"])


async def visible_evaluations(viewer: Account | None, twinning: Twinning) -> list[Evaluation]:
    """Members read every answer of their twinning; everyone else the published ones."""
    query = Evaluation.filter(twinning=twinning)
    if twinning.id not in await member_twinning_ids(viewer):
        query = query.filter(published_at__not_isnull=True)
    rows = await query.prefetch_related("organisation", "author").order_by("id")
    order = {phase: i for i, phase in enumerate(await phases_entered(twinning))}
    return sorted(rows, key=lambda e: (order.get(e.phase, 99), e.organisation.name))


async def published_proposals(twinning: Twinning | None) -> list[Evaluation]:
    """What the white paper adds: published evaluations that propose something, of one
    twinning or of all."""
    query = Evaluation.filter(published_at__not_isnull=True)
    if twinning is not None:
        query = query.filter(twinning=twinning)
    rows = await query.prefetch_related("organisation", "twinning").order_by("twinning_id", "id")
    return [e for e in rows if e.answers.get("proposals")]
