"""Sample data for ``jumelage demo``: organisations from Europe and Latin America, a twinning in
each of the four fields, members, updates, discussions with their answers, meetings and
resources in French, English and Spanish; one person (Inés) only ever answers. Built through the
same functions as the web UI, so the demo obeys every rule the app does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from models.accounts import Account, create_account
from models.demo_tasks import add_demo_tasks
from models.demo_usage import add_usage_history
from models.discussions import start_discussion
from models.errors import N_, Conflict
from models.evaluations import answer, set_published
from models.events import EventInput, create_event
from models.memberships import request_to_join
from models.organisations import Organisation, OrganisationInput, create_organisation
from models.posting import post_reply, post_update
from models.programmes import ProgrammeInput, add_local_twinning, create_programme
from models.resources import ResourceInput, add_resource
from models.twinnings import Twinning, TwinningInput, create_twinning

DEMO_PASSWORD = "jumelage-demo"
People = dict[str, Account]
Twinnings = dict[str, Twinning]

# user name, language, display name, time zone
PEOPLE = [
    ("maelle", "fr", "Maëlle Le Goff", "Europe/Paris"),
    ("jorge", "es", "Jorge Quispe", "America/La_Paz"),
    ("ana", "es", "Ana Restrepo", "America/Bogota"),
    ("tom", "en", "Tom Evans", "Europe/London"),
    ("lucia", "es", "Lucía Pereira", "America/Montevideo"),
    ("hugo", "fr", "Hugo Dubois", "Europe/Paris"),
    ("ines", "es", "Inés Mamani", "America/La_Paz"),
]

ORGANISATIONS = [
    (
        "brest_numerique",
        "maelle",
        "Brest Numérique Solidaire",
        "FR",
        "Brest",
        ["fr"],
        ["governance", "social-inclusion"],
        {"fr": "Association d'accès public à internet."},
    ),
    (
        "wiphala_lapaz",
        "jorge",
        "Centro Wiphala",
        "BO",
        "La Paz",
        ["es"],
        ["education-culture", "governance"],
        {"es": "Centro comunitario de cultura digital."},
    ),
    (
        "salud_medellin",
        "ana",
        "Red Salud Comunitaria",
        "CO",
        "Medellín",
        ["es"],
        ["health"],
        {"es": "Red de promotoras de salud en los barrios."},
    ),
    (
        "cardiff_libraries",
        "tom",
        "Cardiff Community Libraries",
        "GB",
        "Cardiff",
        ["en"],
        ["education-culture", "social-inclusion"],
        {"en": "Neighbourhood libraries and hubs."},
    ),
    (
        "coop_montevideo",
        "lucia",
        "Cooperativa de Vivienda Sur",
        "UY",
        "Montevideo",
        ["es"],
        ["social-inclusion"],
        {"es": "Cooperativa de vivienda por ayuda mutua."},
    ),
    (
        "liege_sante",
        "hugo",
        "Maison médicale du Nord",
        "BE",
        "Liège",
        ["fr"],
        ["health"],
        {"fr": "Maison médicale de quartier."},
    ),
]

TWINNINGS = [
    (
        "budget_participatif",
        "maelle",
        ["brest_numerique", "wiphala_lapaz"],
        "governance",
        {"fr": "Budget participatif en ligne", "es": "Presupuesto participativo en línea"},
        {
            "fr": "Des outils libres pour que les habitants proposent et votent.",
            "es": "Herramientas libres para que los vecinos propongan y voten.",
        },
        "implementation",
    ),
    (
        "bibliotecas_vivas",
        "tom",
        ["cardiff_libraries", "wiphala_lapaz"],
        "education-culture",
        {"en": "Living libraries", "es": "Bibliotecas vivas"},
        {
            "en": "Digital storytelling between two library networks.",
            "es": "Relatos digitales entre dos redes de bibliotecas.",
        },
        "agreement",
    ),
    (
        "salud_barrio",
        "ana",
        ["salud_medellin", "liege_sante"],
        "health",
        {"es": "Salud en el barrio", "fr": "Santé de quartier"},
        {
            "es": "Telemedicina comunitaria y promotoras de salud.",
            "fr": "Télémédecine communautaire et relais santé.",
        },
        "identification",
    ),
    (
        "vivienda_inclusiva",
        "lucia",
        ["coop_montevideo", "brest_numerique"],
        "social-inclusion",
        {"es": "Vivienda inclusiva", "fr": "Habitat inclusif"},
        {
            "es": "Cooperativas de vivienda que comparten sus herramientas digitales.",
            "fr": "Des coopératives d'habitat partagent leurs outils numériques.",
        },
        "evaluation",
    ),
]

UPDATES = [
    (
        "budget_participatif",
        "maelle",
        "public",
        {
            "fr": "Première réunion en ligne avec La Paz : 40 habitants ont participé !",
            "es": "Primera reunión en línea con La Paz: ¡participaron 40 vecinos!",
        },
    ),
    (
        "budget_participatif",
        "jorge",
        "partners",
        {"es": "Borrador del convenio para revisar antes del viernes (solo socios)."},
    ),
    (
        "bibliotecas_vivas",
        "tom",
        "public",
        {
            "en": "Our first bilingual story circle is recorded and online.",
            "es": "Nuestro primer círculo de relatos bilingüe ya está grabado.",
        },
    ),
    (
        "salud_barrio",
        "ana",
        "public",
        {"es": "Arrancamos el diagnóstico de necesidades en tres barrios."},
    ),
    (
        "salud_barrio",
        "hugo",
        "partners",
        {"fr": "Budget prévisionnel à valider entre partenaires."},
    ),
    (
        "vivienda_inclusiva",
        "lucia",
        "public",
        {
            "es": "Publicamos la evaluación del primer año.",
            "en": "We published the first-year evaluation.",
        },
    ),
]


# twinning, author, visibility, subject, first message, answers (author, text)
DISCUSSIONS = [
    (
        "budget_participatif",
        "maelle",
        "partners",
        {"fr": "Ordre du jour du comité de pilotage", "es": "Orden del día del comité"},
        {"fr": "Que voulez-vous mettre à l'ordre du jour ?"},
        [
            ("jorge", {"es": "Propongo revisar el calendario de las asambleas barriales."}),
            ("ines", {"es": "Y presentar los resultados de la encuesta en El Alto."}),
        ],
    ),
    (
        "bibliotecas_vivas",
        "tom",
        "public",
        {"en": "Which recording tools do you use?"},
        {"en": "We use a phone and a free audio editor. And you?"},
        [("lucia", {"es": "Nosotros, una grabadora prestada por la biblioteca municipal."})],
    ),
]

# twinning, author, visibility, title, days from now, hours long, zone, place
MEETINGS = [
    (
        "budget_participatif",
        "jorge",
        "partners",
        {"es": "Comité de pilotaje", "fr": "Comité de pilotage"},
        9,
        2,
        "America/La_Paz",
        "",
    ),
    (
        "salud_barrio",
        "hugo",
        "public",
        {"fr": "Café santé ouvert au quartier"},
        16,
        3,
        "Europe/Paris",
        "Maison médicale du Nord, Lille",
    ),
]

# twinning, author, visibility, title, description, address, year
RESOURCES = [
    (
        "budget_participatif",
        "maelle",
        "public",
        {"fr": "Guide du budget participatif numérique"},
        {"fr": "Étapes, outils libres et retours d'expérience."},
        "https://example.org/guide-budget-participatif",
        "2024",
    ),
    (
        "vivienda_inclusiva",
        "lucia",
        "partners",
        {"es": "Evaluación del primer año (borrador)"},
        {"es": "Borrador para comentar entre socios."},
        "https://example.org/evaluacion-borrador",
        "2026",
    ),
]


async def _discussions(people: People, twinnings: Twinnings) -> None:
    for slug, author, visibility, subject, first, answers in DISCUSSIONS:
        root = await start_discussion(people[author], twinnings[slug], visibility, subject, first)
        for answerer, text in answers:
            await post_reply(people[answerer], root, text)


async def _meetings(people: People, twinnings: Twinnings) -> None:
    today = datetime.now(UTC).replace(hour=16, minute=0, second=0, microsecond=0)
    for slug, author, visibility, title, days, hours, zone, place in MEETINGS:
        starts = today + timedelta(days=days)
        data = EventInput(
            title=title,
            description={next(iter(title)): "·"},
            starts=starts.strftime("%Y-%m-%dT%H:%M"),
            ends=(starts + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M"),
            timezone=zone,
            place=place,
            online_url="" if place else "https://meet.example.org/comite",
            visibility=visibility,
        )
        await create_event(people[author], twinnings[slug], data)


async def _resources(people: People, twinnings: Twinnings) -> None:
    for slug, author, visibility, title, description, url, year in RESOURCES:
        data = ResourceInput(
            title=title, description=description, url=url, year=year, visibility=visibility
        )
        await add_resource(people[author], twinnings[slug], data, Path("."))


# twinning, author, organisation, language, published, answers
EVALUATIONS = [
    (
        "budget_participatif",
        "maelle",
        "brest_numerique",
        "fr",
        True,
        {
            "worked": "Les ateliers du samedi à la médiathèque ont réuni 40 habitants.",
            "digital": "Le vote en ligne a fait venir des jeunes qui ne venaient pas aux réunions.",
            "missing": "Un accompagnement pour les personnes sans ordinateur.",
            "proposals": "Ouvrir un point d'accès accompagné dans chaque quartier.",
        },
    ),
    (
        "budget_participatif",
        "jorge",
        "wiphala_lapaz",
        "es",
        False,
        {
            "worked": "Las asambleas mixtas, presenciales y por videollamada.",
            "missing": "Conexión estable en la sede de El Alto.",
            "proposals": "Una red de puntos de acceso en las juntas vecinales.",
        },
    ),
]


async def _evaluations(people: People, twinnings: Twinnings) -> None:
    for slug, author, org_slug, language, published, answers in EVALUATIONS:
        twinning = twinnings[slug]
        org = await Organisation.get(slug=org_slug)
        evaluation = await answer(
            people[author], twinning, twinning.phase, org.id, language, answers
        )
        if published:
            await set_published(people[twinning_owner(slug)], evaluation, True)


def twinning_owner(slug: str) -> str:
    return next(owner for s, owner, *_ in TWINNINGS if s == slug)


async def _join_where_they_write(people: People, twinnings: Twinnings) -> None:
    """Everyone who writes in a twinning they did not found joins it (every demo twinning is
    open, so joining is immediate)."""
    writers = {(t, u) for t, u, *_ in UPDATES}
    writers |= {(m[0], m[1]) for m in MEETINGS} | {(r[0], r[1]) for r in RESOURCES}
    writers |= {(e[0], e[1]) for e in EVALUATIONS}
    for slug, _, _, _, _, answers in DISCUSSIONS:
        writers |= {(slug, a) for a, _ in answers}
    for slug, username in sorted(writers):
        twinning = twinnings[slug]
        if twinning.created_by_id != people[username].id:
            await request_to_join(people[username], twinning)


async def _programme(people: People) -> None:
    """One programme, coordinated by Brest Numérique, following two twinnings."""
    maelle = people["maelle"]
    org = await Organisation.get(slug="brest_numerique")
    data = ProgrammeInput(
        title={
            "fr": "Programme Démocratie numérique",
            "en": "Digital democracy programme",
            "es": "Programa Democracia digital",
        },
        description={
            "fr": "Un programme de recherche-action sur les outils numériques des jumelages.",
            "es": "Un programa de investigación-acción sobre las herramientas digitales.",
        },
        starts_on="2025-01-01",
        ends_on="2027-12-31",
        languages=["fr", "es", "en"],
    )
    programme = await create_programme(maelle, "democratie_numerique", data, org)
    for slug in ("budget_participatif", "bibliotecas_vivas"):
        await add_local_twinning(maelle, programme, slug)


async def fill_demo() -> str:
    if await Account.filter(username="maelle").exists():
        raise Conflict("demo", N_("the demo data is already here"))
    people = {}
    for username, locale, name, zone in PEOPLE:
        people[username] = await create_account(
            username,
            f"{username}@demo.invalid",
            DEMO_PASSWORD,
            locale=locale,
            display_name=name,
            timezone=zone,
        )
    for slug, owner, name, country, city, langs, fields, description in ORGANISATIONS:
        data = OrganisationInput(name, country, city, "", langs, fields, description)
        await create_organisation(people[owner], slug, data)
    twinnings = {}
    for slug, owner, partners, field, title, summary, phase in TWINNINGS:
        twinning_data = TwinningInput(
            title=title,
            summary=summary,
            primary_language=next(iter(title)),
            fields_of_action=[field],
            languages=sorted({*title, *summary}),
            phase=phase,
            join_policy="open",
            partner_slugs=partners,
        )
        twinnings[slug] = await create_twinning(people[owner], slug, twinning_data)
    await _join_where_they_write(people, twinnings)
    for slug, author, visibility, content in UPDATES:
        await post_update(people[author], twinnings[slug], visibility, content)
    await _discussions(people, twinnings)
    await _meetings(people, twinnings)
    await _resources(people, twinnings)
    await _evaluations(people, twinnings)
    tasks = await add_demo_tasks(people, twinnings)
    await add_usage_history(people, twinnings)
    await _programme(people)
    return (
        f"demo: {len(people)} people, {len(ORGANISATIONS)} organisations, {len(twinnings)} "
        f"twinnings, {len(UPDATES)} updates, {len(DISCUSSIONS)} discussions, "
        f"{len(MEETINGS)} meetings, {len(RESOURCES)} resources, {len(EVALUATIONS)} "
        f"evaluations, {tasks} tasks, 1 programme; log in as "
        f"{', '.join(people)} with the password {DEMO_PASSWORD!r}"
    )
