"""The directory as a visitor uses it: results first with their count, a country chosen by
name in the reader's language (or typed as a code or name in any case), partners, countries and
languages on each card, and the counts as a table whose links are plain links."""

from __future__ import annotations

import re

import httpx

from models.accounts import Account
from models.organisations import OrganisationInput, create_organisation
from models.twinnings import TwinningInput, create_twinning
from tests.conftest import make_account


async def _world() -> Account:
    owner = await make_account("owner")
    for slug, name, country, languages in (
        ("brest_num", "Brest Numérique", "FR", ["fr"]),
        ("wiphala", "Wiphala", "BO", ["es"]),
        ("quito_lab", "Quito Lab", "EC", ["es"]),
    ):
        org_input = OrganisationInput(name, country, "", "", languages, ["health"], {})
        await create_organisation(owner, slug, org_input)
    for slug, title, countries, partners in (
        ("brest_lapaz", "Brest – La Paz", ["FR", "BO"], ["brest_num", "wiphala"]),
        ("lyon_quito", "Lyon – Quito", ["FR", "EC"], ["quito_lab"]),
    ):
        data = TwinningInput(
            title={"fr": title},
            summary={"fr": "Budgets participatifs"},
            primary_language="fr",
            fields_of_action=["health"],
            countries=countries,
            languages=["fr", "es"],
            phase="agreement",
            partner_slugs=partners,
        )
        await create_twinning(owner, slug, data)
    return owner


def _results(html: str) -> str:
    return html.split('class="results"')[1].split('class="counts"')[0]


async def test_results_come_first_with_their_count_and_cards_say_who(
    client: httpx.AsyncClient,
) -> None:
    await _world()
    page = (await client.get("/directory", headers={"Accept-Language": "fr"})).text
    assert page.index('class="results"') < page.index('class="counts"')
    results = _results(page)
    assert "2 jumelages trouvés" in results
    card = results.split('href="/t/brest_lapaz"')[1].split("</li>")[0]
    assert 'href="/o/brest_num"' in card and 'href="/o/wiphala"' in card
    assert "Bolivie" in card and "France" in card and "espagnol" in card.lower()
    orgs = _results((await client.get("/directory?kind=organisations")).text)
    assert "3 organisations found" in orgs


async def test_country_is_chosen_by_name_and_matched_whatever_the_case(
    client: httpx.AsyncClient,
) -> None:
    await _world()
    page = (await client.get("/directory", headers={"Accept-Language": "es"})).text
    select = page.split('id="country"')[1].split("</select>")[0]
    names = re.findall(r'<option value="([A-Z]{2})"[^>]*>([^<]+)</option>', select)
    assert names == [("BO", "Bolivia"), ("EC", "Ecuador"), ("FR", "Francia")]
    for typed in ("BO", "bo", "Bolivie", "BOLIVIA", "bolivia"):
        found = _results((await client.get(f"/directory?country={typed}")).text)
        assert "1 twinning found" in found and "/t/brest_lapaz" in found, typed
        assert "/t/lyon_quito" not in found, typed
    unknown = await client.get("/directory?country=Atlantis")
    assert unknown.status_code == 200
    assert "No country is called “Atlantis”" in unknown.text
    assert "0 twinnings found" in _results(unknown.text)


async def test_the_counts_are_a_table_with_plain_links(client: httpx.AsyncClient) -> None:
    await _world()
    page = (await client.get("/directory")).text
    assert 'role="img"' not in page and "<svg" not in page.split('class="counts"')[1]
    chart = page.split('class="chart"')[1].split("</table>")[0]
    assert re.search(r'<a href="/directory\?country=EC">Ecuador</a>', chart)
    row = chart.split('href="/directory?country=FR"')[1].split("</tr>")[0]
    assert '<span class="n">2</span>' in row
