"""The desk's action plans (console network, both databases): every route × role; the
numbers of /desk/plans are those of /plans and of the Results button, and of a count made
here; a plan's page lists who answered what and when, and who has not; the composer's
preview is the chat's, a double click posts once, a wrong form saves nothing; /plans
links to the desk."""

from __future__ import annotations

import asyncio
import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.animation import plans
from bot.animation.calls import PREVIEW
from bot.core.bilingual import Bilingual
from bot.models import ActionPlan, Answer, AuditEntry, Member, MemberStatus, Role
from tests.support.desk import (
    Browser,
    approve,
    browser,
    desk_network,
    populate,
    served,
    signed_in,
)
from tests.support.harness import Network, NetworkFactory
from tests.support.people import count, member_id, said_to, with_roles

ROLES = ("carol", "tess", "mia", None)
TITLE = "Share the festival video"
TEXT = "The festival made a video of the city. Let us make it travel."
CALL = "Share it on LinkedIn this week"
#: Rita's plan in the chat (she is the referent of business only: no category asked).
CHAT_PLAN = f"""
@rita /plan
@rita {TITLE}
@rita {TEXT}
@rita {CALL}
@rita {{due}}
"""
FORM = {"title_fr": TITLE, "text_fr": TEXT, "call_fr": CALL}
ROUTES: list[tuple[str, str, dict[str, str], tuple[int, int, int, int]]] = [
    ("GET", "/desk/plans", {}, (200, 200, 403, 401)),
    ("GET", "/desk/plans?category=business&page=3", {}, (200, 200, 403, 401)),
    ("GET", "/desk/plans/1", {}, (200, 404, 403, 401)),
    ("GET", "/desk/plans/999", {}, (404, 404, 403, 401)),
    ("GET", "/desk/plans/new", {}, (200, 200, 403, 401)),
    ("POST", "/desk/plans/new", {**FORM, "category": "business"}, (200, 403, 403, 401)),
    ("POST", "/desk/plans/new", {**FORM, "category": "tourism"}, (200, 200, 403, 401)),
    ("POST", "/desk/plans/new", {"category": "tourism"}, (400, 400, 403, 401)),
]
ROW = re.compile(r'<tr id="plan-(\d+)">(.*?)</tr>', re.S)
NUMBER = re.compile(r'<td class="num">(\d+)</td>')
#: A row of a plan page's answers: number, name, answer, when.
ANSWERED = re.compile(
    r'<tr><td><a href="/desk/members/(\d+)">(\w+)</a>.*?<td>([^<]+)</td>'
    r"<td>(\d\d/\d\d/\d{4} \d\d:\d\d)</td></tr>"
)
PREVIEW_TEXT = re.compile(
    r'<div class="card preview">\n<p style="white-space: pre-wrap">(.*?)</p>', re.S
)


def due(network: Network, days: int = 2) -> str:
    """A due date ``days`` ahead, as the chat reads it (dd/mm/yyyy)."""
    return (network.clock.now() + timedelta(days=days)).strftime("%d/%m/%Y")


async def chat_plan(network: Network) -> None:
    """Plan #1: Rita's, for business, posted from the chat."""
    await network.play(CHAT_PLAN.format(due=due(network)) + "@rita [Confirm]\n")


async def _statuses(page: Browser, *, csrf: str) -> list[tuple[str, str, int]]:
    found = []
    for method, path, form, _statuses in ROUTES:
        if method == "GET":
            status, _text = await page.get(path)
        else:
            status, _text = await page.post(path, {**form, "csrf": csrf})
        found.append((method, path, status))
    return found


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "signed-out")
async def test_every_plan_route_answers_each_role_as_declared(
    network_factory: NetworkFactory, role: str | None
) -> None:
    network = desk_network(network_factory)
    await populate(network)
    await chat_plan(network)
    column = ROLES.index(role)
    async with served(network) as server:
        if role is None:
            async with browser(server) as page:
                found = await _statuses(page, csrf="")
        else:
            page = await signed_in(network, server, role)
            try:
                found = await _statuses(page, csrf=await page.csrf())
                _status, listing = await page.get("/desk/plans")
            finally:
                await page.client.close()
            # Tess (tourism) does not see Rita's business plan in the list either.
            assert (TITLE in listing) is (role == "carol")
    assert found == [(m, path, statuses[column]) for m, path, _f, statuses in ROUTES]


def _desk_numbers(page: str) -> dict[int, list[int]]:
    """Plan number → [addressed, Done, I'm on it, Not for me] as the list shows them."""
    return {int(n): [int(x) for x in NUMBER.findall(row)] for n, row in ROW.findall(page)}


def _chat_numbers(out: str) -> dict[int, list[int]]:
    """Plan number → [Done, I'm on it, Not for me] from a /plans answer."""
    found = re.findall(r"#(\d+) .*?Done (\d+) · I'm on it (\d+) · Not for me (\d+)", out)
    return {int(n): [int(a), int(b), int(c)] for n, a, b, c in found}


async def _counted_here(network: Network, plan_id: int) -> list[int]:
    """[addressed, Done, I'm on it, Not for me] by the rule written out again: active
    members of the plan's category, neither coordinators nor its author (nobody here was
    imported); their answers only."""
    async with network.sessions() as session:
        plan = await session.get(ActionPlan, plan_id)
        assert plan is not None
        members = list(
            await session.scalars(
                select(Member).where(Member.category == plan.category)  # one small network
            )
        )
        rows = await session.execute(
            select(Answer.member_id, Answer.answer).where(Answer.subject == f"p{plan_id}")
        )
        answers = {member: answer for member, answer in rows}
    counted = [m for m in members if m.role is not Role.COORDINATOR and m.id != plan.author_id]
    addressed = [m for m in counted if m.status is MemberStatus.ACTIVE]
    given = [answers[m.id] for m in counted if m.id in answers]
    return [len(addressed), given.count("d"), given.count("o"), given.count("n")]


async def test_the_list_shows_the_numbers_of_plans_and_results(
    network_factory: NetworkFactory,
) -> None:
    network = desk_network(network_factory)
    await populate(network)
    for name in ("ann", "bob"):
        await approve(network, name)
    await chat_plan(network)
    await network.play(
        """
        @carol /plan
        @carol [Tourism & culture]
        @carol Come to the derby
        @carol The club offers seats to ambassadors.
        @carol Ask for your seat
        @carol [Skip]
        @carol [Confirm]
        @mia #business [Fait]
        @ann #business [Je m'en occupe]
        @ann #business [Pas pour moi]
        @rita #business [Fait]
        """
    )
    # An answer stored from another category (before such presses were refused) counts
    # nowhere: not in /plans, not in Results, not on the desk.
    pia = await member_id(network, "Pia")
    async with network.sessions.begin() as session:
        now = network.clock.now()
        stale = Answer(subject="p1", member_id=pia, answer="d", answered_at=now, changed_at=now)
        session.add(stale)
    chat = _chat_numbers(said_to(await network.play("@carol /plans"), "@carol")[-1])
    results = said_to(await network.play("@carol /plans\n@carol [Results #1]"), "@carol")[-1]
    async with served(network) as server:
        carol = await signed_in(network, server, "carol")
        try:
            _status, page = await carol.get("/desk/plans")
            _status, only = await carol.get("/desk/plans?category=tourism")
            _status, plan_page = await carol.get("/desk/plans/1")
        finally:
            await carol.client.close()
    desk = _desk_numbers(page)
    assert set(desk) == set(chat) == {1, 2}
    for number in (1, 2):
        assert desk[number][1:] == chat[number]
        assert desk[number] == await _counted_here(network, number)
    assert desk[1] == [3, 1, 0, 1]  # Mia, Ann, Bob addressed; Rita is its author
    assert "Targeted: 3 members" in results and "Done: 1 · I'm on it: 0 · Not for me: 1" in results
    assert set(_desk_numbers(only)) == {2}
    assert "Page 1 of" not in page  # two plans: one page
    # The plan's page: its text, the same figures, who answered what and when, who not.
    assert "Targeted: 3 members" in plan_page and html.escape(TEXT) in plan_page
    assert "Done: 1 · I&#39;m on it: 0 · Not for me: 1" in plan_page
    mia, ann, bob = [await member_id(network, n) for n in ("Mia", "Ann", "Bob")]
    answered = ANSWERED.findall(plan_page)
    assert [(int(n), name, said) for n, name, said, _when in answered] == [
        (mia, "Mia", "Done"), (ann, "Ann", "Not for me"),
    ]  # fmt: skip
    silent = plan_page.split('id="silent"')[1]
    assert "1 member it addressed has not answered." in silent
    assert f'<a href="/desk/members/{bob}">Bob</a>' in silent and "Mia" not in silent


async def test_tess_does_not_see_business_plans_or_their_numbers(
    network_factory: NetworkFactory,
) -> None:
    network = desk_network(network_factory)
    await populate(network)
    await chat_plan(network)
    async with served(network) as server:
        tess = await signed_in(network, server, "tess")
        rita = await signed_in(network, server, "rita")
        try:
            _status, theirs = await tess.get("/desk/plans?category=business")
            _status, hers = await rita.get("/desk/plans")
        finally:
            await tess.client.close()
            await rita.client.close()
    assert _desk_numbers(theirs) == {} and "No action plan yet." in theirs
    assert list(_desk_numbers(hers)) == [1]
    assert '<option value="tourism"' not in hers  # her categories only in the filter


def _preview(page: str) -> str:
    found = PREVIEW_TEXT.search(page)
    assert found is not None, page
    return html.unescape(found.group(1))


async def test_the_preview_is_the_chats_and_a_double_click_posts_once(
    network_factory: NetworkFactory,
) -> None:
    network = desk_network(network_factory)
    await populate(network)
    chat = said_to(await network.play(CHAT_PLAN.format(due=due(network))), "@rita")
    [in_chat] = [text for text in chat if text.startswith(f"📌 {TITLE}")]
    in_chat = in_chat.rsplit("\n", 1)[0]  # without the console's line of buttons
    settings, translator = network.settings, network.app.translator
    drafted = plans.Draft(
        category="business", title=Bilingual(fr=TITLE), text=Bilingual(fr=TEXT),
        call_to_action=Bilingual(fr=CALL), due=(network.clock.now() + timedelta(days=2)).date(),
    )  # fmt: skip
    rendered = plans.render(
        translator, settings, settings.network.default_language, drafted, author="Rita",
        subject=PREVIEW,
    )  # fmt: skip
    assert rendered.text == in_chat
    day = (network.clock.now() + timedelta(days=2)).date().isoformat()
    async with served(network) as server:
        rita = await signed_in(network, server, "rita")
        try:
            _status, page = await rita.get("/desk/plans/new")
            token = page.split('name="draft" value="')[1].split('"')[0]
            form = {**FORM, "category": "business", "due": day, "draft": token}
            form["csrf"] = await rita.csrf("/desk/plans/new")
            status, page = await rita.post("/desk/plans/new", {**form, "action": "preview"})
            assert status == 200 and _preview(page) == in_chat
            assert "Je m&#39;en occupe" in page  # the post's buttons, in its language
            assert await count(network, ActionPlan) == 0
            start = network.out.tell()
            clicks = [rita.post("/desk/plans/new", {**form, "action": "post"}) for _ in "12"]
            answers = await asyncio.gather(*clicks)
            again = await rita.post("/desk/plans/new", {**form, "action": "post"})
            assert [status for status, _page in [*answers, again]] == [303, 303, 303]
            _status, listing = await rita.get("/desk/plans")
        finally:
            await rita.client.close()
    assert list(_desk_numbers(listing)) == [1] and TITLE in listing
    async with network.sessions() as session:
        [plan] = list(await session.scalars(select(ActionPlan)))
        entries = list(
            await session.scalars(select(AuditEntry).where(AuditEntry.action == "plan.publish"))
        )
    assert plan.category == "business" and plan.due_at is not None
    assert [(e.details["plan_id"], e.details["via"], e.details["form"]) for e in entries] == [
        (plan.id, "desk", token)
    ]
    await network.app.sender.drain()
    posts = said_to(network.out.getvalue()[start:], "#business")
    assert [post.rsplit("\n", 1)[0] for post in posts] == [in_chat]  # once, as previewed


INVALID = [
    ({"category": "business", "title_fr": TITLE, "text_fr": TEXT}, "Write the text and the call"),
    ({**FORM, "category": "business", "text_en": "Only a text"}, "Write the text and the call"),
    ({"category": "business", "text_fr": TEXT, "call_fr": CALL}, "a title in at least one"),
    ({**FORM, "category": "business", "title_fr": "x" * 121}, "is too long"),
    ({**FORM, "category": "business", "due": "2001-01-01"}, "was not understood or is past"),
    ({**FORM, "category": "business", "due": "soon"}, "was not understood or is past"),
    ({**FORM, "category": "business", "kit": "999"}, "This kit item cannot go"),
    ({**FORM, "category": "nowhere"}, "You are not a referent of this category."),
]


async def test_a_wrong_form_says_what_is_wrong_and_saves_nothing(
    network_factory: NetworkFactory,
) -> None:
    network = desk_network(network_factory)
    await populate(network)
    async with served(network) as server:
        rita = await signed_in(network, server, "rita")
        try:
            csrf = await rita.csrf("/desk/plans/new")
            for form, said in INVALID:
                for action in ("preview", "post"):
                    status, page = await rita.post(
                        "/desk/plans/new", {**form, "csrf": csrf, "action": action}
                    )
                    assert status in (400, 403) and said in html.unescape(page), (form, page)
                    assert form.get("text_fr", "") in page  # the form comes back as sent
        finally:
            await rita.client.close()
    assert await count(network, ActionPlan) == 0
    assert await count(network, AuditEntry, AuditEntry.action == "plan.publish") == 0


async def test_plans_in_the_chat_link_to_the_desk_when_the_web_is_public(
    network_factory: NetworkFactory,
) -> None:
    network = desk_network(network_factory)
    await populate(network)
    await chat_plan(network)
    listing = said_to(await network.play("@rita /plans"), "@rita")[-1]
    assert "On the desk: http://relais.test/desk/plans" in listing
    private = with_roles(network_factory(), referents={"business": ["console:rita"]})
    listing = said_to(await private.play("@rita /plans"), "@rita")[-1]
    assert TITLE in listing and "On the desk" not in listing
    async with network.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(ActionPlan)) == 1
