"""Sample data for ``jumelage demo``: organisations from Europe and Latin America, a twinning in
each of the four fields, members and updates in French, English and Spanish. Built through the
same functions as the web UI, so the demo obeys every rule the app does."""

from __future__ import annotations

from models.accounts import Account, create_account
from models.errors import N_, Conflict
from models.memberships import request_to_join
from models.organisations import OrganisationInput, create_organisation
from models.posting import post_update
from models.twinnings import TwinningInput, create_twinning

DEMO_PASSWORD = "jumelage-demo"

PEOPLE = [
    ("maelle", "fr", "Maëlle Le Goff"),
    ("jorge", "es", "Jorge Quispe"),
    ("ana", "es", "Ana Restrepo"),
    ("tom", "en", "Tom Evans"),
    ("lucia", "es", "Lucía Pereira"),
    ("hugo", "fr", "Hugo Dubois"),
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


async def fill_demo() -> str:
    if await Account.filter(username="maelle").exists():
        raise Conflict("demo", N_("the demo data is already here"))
    people = {}
    for username, locale, name in PEOPLE:
        people[username] = await create_account(
            username, f"{username}@demo.invalid", DEMO_PASSWORD, locale=locale, display_name=name
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
    for username in people:
        for slug, twinning in twinnings.items():
            if any(u == username and t == slug for t, u, *_ in UPDATES) and (
                twinning.created_by_id != people[username].id
            ):
                await request_to_join(people[username], twinning)
    for slug, author, visibility, content in UPDATES:
        await post_update(people[author], twinnings[slug], visibility, content)
    return (
        f"demo: {len(people)} people, {len(ORGANISATIONS)} organisations, {len(twinnings)} "
        f"twinnings, {len(UPDATES)} updates; log in as {', '.join(people)} "
        f"with the password {DEMO_PASSWORD!r}"
    )
