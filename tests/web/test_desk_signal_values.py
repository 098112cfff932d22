"""Signal values (``[signals] value_fields``) on the console network, both databases:
only coordinators set them (route × role), a figure that is not a number changes
nothing, ``/signals N`` shows them in the reader's language, the signals export has a
column per field, and the pipeline sums the chosen field per stage."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from bot.core.config import SignalsSettings, SignalValueField
from bot.models import AuditEntry, Report, SignalValue
from tests.support.desk import browser, desk_network, populate, served, signed_in
from tests.support.harness import Network, NetworkFactory
from tests.support.people import with_roles

SIGNAL = """
    @mia /report
    @mia [Opportunity signal]
    @mia [Investor]
    @mia {text}
    @mia [Skip]
"""
FIELDS = SignalsSettings(
    value_fields=[
        SignalValueField(key="jobs", label={"fr": "Emplois", "en": "Jobs"}),
        SignalValueField(key="budget", label={"fr": "Budget", "en": "Budget"}, unit="€"),
    ]
)


async def valued_network(network_factory: NetworkFactory) -> tuple[Network, list[int]]:
    """Two signals of mia's, with carol coordinator, rita and tess referents."""
    network = with_roles(
        desk_network(network_factory),
        coordinators=["console:carol"],
        referents={"business": ["console:rita"], "tourism": ["console:tess"]},
        signals=FIELDS,
    )
    await populate(network)
    await network.play(SIGNAL.format(text="A fund looks at the biotech park"))
    await network.play(SIGNAL.format(text="A start-up wants 300 m2 near the station"))
    async with network.sessions() as session:
        ids = list(await session.scalars(select(Report.id).order_by(Report.id)))
    return network, ids


@pytest.mark.parametrize("role", ("carol", "tess", "mia", None), ids=lambda r: r or "out")
async def test_only_coordinators_set_values(
    network_factory: NetworkFactory, role: str | None
) -> None:
    network, (first, _second) = await valued_network(network_factory)
    expected = {"carol": 303, "tess": 403, "mia": 403, None: 401}[role]
    async with served(network) as server:
        if role is None:
            async with browser(server) as page:
                status, _text = await page.post(
                    f"/desk/signals/{first}/values", {"value_jobs": "5"}
                )
        else:
            page = await signed_in(network, server, role)
            try:
                form = {"csrf": await page.csrf(), "value_jobs": "5"}
                status, _text = await page.post(f"/desk/signals/{first}/values", form)
                if role == "carol":
                    no_token = {"value_jobs": "9"}
                    assert (await page.post(f"/desk/signals/{first}/values", no_token))[0] == 403
            finally:
                await page.client.close()
    assert status == expected
    async with network.sessions() as session:
        stored = list(await session.scalars(select(SignalValue.value)))
    assert stored == ([5.0] if role == "carol" else [])


async def test_values_are_shown_exported_and_summed_per_stage(
    network_factory: NetworkFactory,
) -> None:
    network, (first, second) = await valued_network(network_factory)
    async with served(network) as server:
        carol = await signed_in(network, server, "carol")
        try:
            csrf = await carol.csrf("/desk/signals")
            status, page = await carol.get(f"/desk/signals/{first}")
            assert 'name="value_jobs"' in page and "Budget (€)" in page
            form = {"csrf": csrf, "value_jobs": "12", "value_budget": "1 500 000"}
            assert (await carol.post(f"/desk/signals/{first}/values", form))[0] == 303
            form = {"csrf": csrf, "value_jobs": "8", "value_budget": "250000,5"}
            assert (await carol.post(f"/desk/signals/{second}/values", form))[0] == 303
            bad = {"csrf": csrf, "value_jobs": "a dozen", "value_budget": ""}
            status, _page = await carol.post(f"/desk/signals/{second}/values", bad)
            assert status == 303  # refused: nothing changed, the page says why
            status, page = await carol.get(f"/desk/signals/{second}?refused=value")
            assert "A figure was not understood" in page and 'value="8"' in page
            # Both are new: the column sums them; once one is qualified, each column its own.
            status, board = await carol.get("/desk/signals")
            assert "Jobs: 20" in board
            move = {"csrf": csrf, "move": "q", "note": ""}
            assert (await carol.post(f"/desk/signals/{first}/move", move))[0] == 303
            status, board = await carol.get("/desk/signals?sum=budget")
            assert "Budget: 1,500,000\u00a0€" in board and "Budget: 250,000.5\u00a0€" in board
            status, board = await carol.get("/desk/signals")
            assert "Jobs: 12" in board and "Jobs: 8" in board and "Jobs: 0" in board
            status, export = await carol.get("/desk/data/export/signals.csv")
        finally:
            await carol.client.close()
    rows = list(csv.DictReader(io.StringIO(export.lstrip("\ufeff"))))
    by_id = {int(row["id"]): row for row in rows}
    assert by_id[first]["value_jobs"] == "12" and by_id[first]["value_budget"] == "1500000"
    assert by_id[second]["value_budget"] == "250000.5"
    # The chat's /signals N, in the reader's language.
    out = await network.play(f"@carol /signals {first}")
    assert "Jobs: 12" in out and "Budget: 1,500,000\u00a0€" in out
    async with network.sessions() as session:
        actions = list(await session.scalars(select(AuditEntry.action)))
    assert actions.count("signal.values") == 2
