"""A twinning's way through the method's phases (identification, agreement, implementation,
evaluation, sharing): each phase entered is a row, with when and by whom, so the About tab
tells the project's story and research can date each phase."""

from __future__ import annotations

from datetime import datetime

from tortoise import fields
from tortoise.models import Model

from models.vocab import PHASES


class PhaseChange(Model):
    id = fields.IntField(primary_key=True)
    twinning: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "models.Twinning", related_name="phase_changes", on_delete=fields.CASCADE
    )
    phase = fields.CharField(max_length=20)
    entered_at = fields.DatetimeField(auto_now_add=True)
    by: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "models.Account", related_name="phase_changes", null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "phase_changes"
        indexes = (("twinning_id", "entered_at"),)


def next_phase(phase: str) -> str | None:
    """The phase after ``phase`` in the method's order; None after the last one."""
    at = PHASES.index(phase) if phase in PHASES else -1
    return PHASES[at + 1] if at + 1 < len(PHASES) else None


async def entered(twinning_id: int, phase: str, by_id: int | None) -> None:
    await PhaseChange.create(twinning_id=twinning_id, phase=phase, by_id=by_id)


async def history(twinning_id: int) -> list[tuple[PhaseChange, datetime | None]]:
    """Each phase entered, oldest first, with when it was left (None for the current one)."""
    rows = await PhaseChange.filter(twinning_id=twinning_id).order_by("entered_at", "id")
    await PhaseChange.fetch_for_list(rows, "by")
    left = [r.entered_at for r in rows[1:]] + [None]
    return list(zip(rows, left, strict=True))
