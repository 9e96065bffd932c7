"""The method's task templates: for each phase, the tasks a twinning usually shares, in French,
English and Spanish. A default set ships here; the instance's admins may replace the set of any
phase and language (a row in ``task_templates``), and a list started "from the method" copies
the tasks of its phase in the reader's language."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from models.config import LOCALES
from models.errors import N_, Invalid
from models.vocab import PHASES

MAX_TEMPLATE_TASKS = 30
MAX_TEMPLATE_TITLE = 200

DEFAULTS: dict[str, dict[str, list[str]]] = {
    "identification": {
        "fr": [
            "Présenter chaque organisation partenaire",
            "Décrire le besoin de chaque territoire",
            "Choisir une thématique commune",
        ],
        "en": [
            "Introduce each partner organisation",
            "Describe each territory's needs",
            "Choose a shared theme",
        ],
        "es": [
            "Presentar cada organización socia",
            "Describir las necesidades de cada territorio",
            "Elegir una temática común",
        ],
    },
    "agreement": {
        "fr": [
            "Rédiger la convention de jumelage",
            "Fixer les objectifs et le calendrier",
            "Répartir les rôles entre partenaires",
        ],
        "en": [
            "Draft the twinning agreement",
            "Set the objectives and the timetable",
            "Share out the partners' roles",
        ],
        "es": [
            "Redactar el convenio de hermanamiento",
            "Fijar los objetivos y el calendario",
            "Repartir los papeles entre socios",
        ],
    },
    "implementation": {
        "fr": [
            "Organiser la première rencontre",
            "Tenir le journal des activités",
            "Partager les documents produits",
        ],
        "en": [
            "Hold the first meeting",
            "Keep the activity log",
            "Share the documents produced",
        ],
        "es": [
            "Organizar el primer encuentro",
            "Llevar el diario de actividades",
            "Compartir los documentos producidos",
        ],
    },
    "evaluation": {
        "fr": [
            "Répondre aux questions d'évaluation",
            "Recueillir l'avis des participants",
            "Faire le bilan des outils numériques",
        ],
        "en": [
            "Answer the evaluation questions",
            "Gather the participants' views",
            "Review the digital tools used",
        ],
        "es": [
            "Responder a las preguntas de evaluación",
            "Recoger la opinión de los participantes",
            "Hacer el balance de las herramientas digitales",
        ],
    },
    "sharing": {
        "fr": [
            "Rédiger les propositions pour les décideurs",
            "Publier les évaluations",
            "Présenter le jumelage à d'autres réseaux",
        ],
        "en": [
            "Write the proposals for decision-makers",
            "Publish the evaluations",
            "Present the twinning to other networks",
        ],
        "es": [
            "Redactar las propuestas para los responsables",
            "Publicar las evaluaciones",
            "Presentar el hermanamiento a otras redes",
        ],
    },
}


class TaskTemplate(Model):
    """An admin's version of one phase's tasks in one language (replacing the default)."""

    id = fields.IntField(primary_key=True)
    phase = fields.CharField(max_length=20)
    language = fields.CharField(max_length=5)
    titles: fields.JSONField[list[str]] = fields.JSONField(default=list)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "task_templates"
        unique_together = (("phase", "language"),)


async def template_for(phase: str, language: str) -> list[str]:
    """The tasks of ``phase`` in ``language`` (English when the language is not offered)."""
    language = language if language in LOCALES else "en"
    row = await TaskTemplate.get_or_none(phase=phase, language=language)
    if row is not None:
        return list(row.titles)
    return list(DEFAULTS.get(phase, {}).get(language, []))


async def all_templates() -> dict[str, dict[str, list[str]]]:
    """Every phase and language, as the admin page shows them."""
    edited = {(r.phase, r.language): r.titles for r in await TaskTemplate.all()}
    return {
        phase: {lang: list(edited.get((phase, lang), DEFAULTS[phase][lang])) for lang in LOCALES}
        for phase in PHASES
    }


def _titles(text: str) -> list[str]:
    titles = [line.strip() for line in text.splitlines() if line.strip()]
    if len(titles) > MAX_TEMPLATE_TASKS:
        raise Invalid("titles", N_("at most %(n)s tasks"), n=MAX_TEMPLATE_TASKS)
    if any(len(t) > MAX_TEMPLATE_TITLE for t in titles):
        raise Invalid("titles", N_("at most %(n)s characters"), n=MAX_TEMPLATE_TITLE)
    return titles


async def save_template(phase: str, language: str, text: str) -> list[str]:
    """One task per line; the caller checks the admin."""
    if phase not in PHASES or language not in LOCALES:
        raise Invalid("phase", N_("choose one of the offered values"))
    titles = _titles(text)
    row, created = await TaskTemplate.get_or_create(
        phase=phase, language=language, defaults={"titles": titles}
    )
    if not created:
        row.titles = titles
        await row.save(update_fields=["titles", "updated_at"])
    return titles
