"""Button payloads: each family's wire format, written once, stays what buttons already
posted in chats carry; anything else parses to nothing; every payload fits Telegram's
64 bytes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pytest

import handlers
from bot.activity.signals import Move
from bot.animation.calls import AnswerPress, Choice, PreviewPress, Subject
from bot.animation.events.buttons import CalendarPress, CheckinPress, FeedbackPress, RsvpPress
from bot.animation.events.buttons import PreviewPress as EventPreviewPress
from bot.animation.kit.buttons import KitAct, KitAdmin, KitList, KitOpen
from bot.animation.nudge_buttons import DigestPress, NudgePress
from bot.animation.quiz_buttons import QuizPress
from bot.conversation.commands import Access, CommandPress
from bot.conversation.flows import FlowPress
from bot.conversation.routing import Router, Routes
from bot.core.payloads import MAX_ID, Payload
from bot.core.port import MAX_PAYLOAD_BYTES
from bot.directory.buttons import DirectoryPage, IntroAnswer, IntroAsk, PairAnswer, ProfilePress
from bot.models import RsvpAnswer, Visibility
from handlers._event_list import CardPress
from handlers._event_manage import EventAdmin
from handlers.approvals import ApprovalPress, ApproveShown, PendingPage
from handlers.campaign_list import CampaignPress, CampaignsPage, CancelAnswer
from handlers.linking import RevokePress, RolePress
from handlers.me import LanguagePress, VisibilityPress
from handlers.partners import PartnerAdmin
from handlers.plans import PlansPage
from handlers.privacy import ConsentPress, ErasePress, ForgetPress, KeepPress
from handlers.reach import ReachPress
from handlers.reminders import CampaignReachPress, ReminderPress
from handlers.results import ResultsPress
from handlers.review import ReviewPage, ReviewPress
from handlers.roles import MembersPage
from handlers.signals import NotePress, SignalsPage, TriagePress

ROUTES = Routes.of(handlers.ROUTERS)
BIG = MAX_ID  # ten digits: the longest id a payload carries
#: Every family at its longest realistic value, and what it carries on the wire. The
#: right-hand sides are the formats of buttons already posted: they must not change.
EXAMPLES: list[tuple[Payload, str]] = [
    (KitList("festival", 2), "kit:l:festival:2"),
    (KitOpen(BIG), f"kit:o:{BIG}"),
    (KitAct("s", BIG), f"kit:a:s:{BIG}"),
    (KitAdmin("r", BIG), f"kit:m:r:{BIG}"),
    (PartnerAdmin("b", BIG), f"ptn:b:{BIG}"),
    (ApprovalPress("y", 12), "apv:y:12"),
    (ApprovalPress("n", BIG, "l"), f"apv:n:{BIG}:l"),
    (CampaignPress("x", BIG), f"cmp:x:{BIG}"),
    (TriagePress(Move.NOT_RELEVANT, BIG), f"sig:x:{BIG}"),
    (NotePress(BIG), f"sig:n:{BIG}"),
    (ConsentPress("yes"), "gdpr:consent:yes"),
    (ForgetPress(BIG), f"gdpr:forget:{BIG}"),
    (KeepPress(), "gdpr:keep"),
    (ErasePress(BIG), f"gdpr:erase:{BIG}"),
    (ReviewPress("r", BIG), f"rev:r:{BIG}"),
    (ResultsPress(Subject(plan_id=12)), "res:p12"),
    (ResultsPress(Subject(campaign_id=BIG, occurrence=BIG)), f"res:c{BIG}-{BIG}"),
    (
        AnswerPress(Subject(campaign_id=BIG, occurrence=BIG), Choice.NOT_FOR_ME),
        f"ans:c{BIG}-{BIG}:n",
    ),
    (AnswerPress(Subject(plan_id=12), Choice.DONE), "ans:p12:d"),
    (PreviewPress(Choice.ON_IT), "ans:pv:o"),
    (NudgePress("pause", BIG), f"nudge:pause:{BIG}"),
    (DigestPress("write", BIG), f"digest:write:{BIG}"),
    (VisibilityPress(Visibility.ANONYMOUS), "vis:anonymous"),
    (LanguagePress("fr"), "lang:fr"),
    (ReminderPress("pause"), "remind:pause"),
    (CampaignReachPress("email"), "creach:email"),
    (ReachPress("telegram"), "reach:telegram"),
    (ReachPress("auto"), "reach:auto"),
    (RevokePress(BIG), f"link:revoke:{BIG}"),
    (RolePress(BIG, BIG), f"link:role:{BIG}:{BIG}"),
    (CommandPress("leaderboard"), "cmd:leaderboard"),
    (RsvpPress(BIG, RsvpAnswer.GOING), f"ev:{BIG}:going"),
    (QuizPress(BIG, 9, 10), f"qz:{BIG}:9:10"),
    (CalendarPress(BIG), f"evc:{BIG}"),
    (FeedbackPress(BIG, "3"), f"evf:{BIG}:3"),
    (CheckinPress("K7P2QXAB2345"), "evk:K7P2QXAB2345"),
    (EventPreviewPress("cal"), "evp:cal"),
    (EventAdmin("cancel", BIG), f"eva:cancel:{BIG}"),
    (CardPress(BIG), f"evs:{BIG}"),
    (PendingPage(BIG), f"pg:ap:{BIG}"),
    (ApproveShown("y", BIG, "0123456789ab"), f"apa:y:{BIG}:0123456789ab"),
    (MembersPage(BIG, "c" * 32), f"pg:mb:{BIG}:{'c' * 32}"),
    (ReviewPage(BIG), f"pg:rv:{BIG}"),
    (SignalsPage(BIG, f"S7,{'c' * 32},K5"), f"pg:sg:{BIG}:S7,{'c' * 32},K5"),
    (CampaignsPage(BIG), f"pg:cp:{BIG}"),
    (CancelAnswer("y", BIG), f"cmpx:y:{BIG}"),
    (PlansPage(BIG, "c" * 32), f"pg:pl:{BIG}:{'c' * 32}"),
    (ProfilePress("e", "presentation"), "prof:e:presentation"),
    (ProfilePress("hide"), "prof:hide"),
    # A query at the directory's budget of 40 bytes: a category, a tag, two words.
    (
        DirectoryPage(BIG, "@business.texportations.wlyon.wbrasserie"),
        f"dir:p:{BIG}:@business.texportations.wlyon.wbrasserie",
    ),
    (IntroAsk(BIG), f"dir:i:{BIG}"),
    (IntroAnswer("y", BIG), f"dir:a:y:{BIG}"),
    (PairAnswer("n", BIG), f"dir:m:n:{BIG}"),
    # A flow's longest name, a version after many steps, a 32-character category key.
    (FlowPress("reject_mention", BIG, "c" * 32), f"f:reject_mention:{BIG}:{'c' * 32}"),
]


@pytest.mark.parametrize(("press", "wire"), EXAMPLES, ids=[wire for _, wire in EXAMPLES])
def test_each_family_packs_its_old_format_and_reads_it_back(press: Payload, wire: str) -> None:
    assert press.pack() == wire
    assert len(wire.encode()) <= MAX_PAYLOAD_BYTES
    assert type(press).unpack(wire) == press


def test_every_registered_family_has_an_example_that_fits() -> None:
    """A new family without a line in EXAMPLES fails here, before its first button."""
    families = {route.payload for route in ROUTES.buttons.values()} | {CommandPress, FlowPress}
    assert families == {type(press) for press, _ in EXAMPLES}


def test_the_longest_flow_name_fits_with_a_category_key() -> None:
    name = max(ROUTES.flows, key=len)
    assert len(FlowPress(name, BIG, "c" * 32).pack().encode()) <= MAX_PAYLOAD_BYTES


@pytest.mark.parametrize(
    "payload",
    [
        "apv:y",  # too few parts
        "apv:y:12:l:l",  # too many
        "apv:y:12:x",  # not the list marker
        "apv:maybe:12",  # not a verdict
        "apv:y:twelve",  # not an id
        "apv:y:-1",
        "apv:y:+1",
        "apv:y:1.5",
        "apv:y:",
        "apv:y:²",  # a digit to str.isdigit(), not to int()
        "apv:y:٣",  # an Arabic-Indic three
        f"apv:y:{MAX_ID + 1}",  # beyond PostgreSQL's integer
        "apv:y:00000000001",  # eleven digits
        "sig:z:1",
        "sig:W:1",
        "gdpr:consent:maybe",
        "gdpr:keep:now",
        "ans:p1",
        "ans:p1:x",
        "ans:x1:d",
        "ans:p:d",
        "ans:c1:d",  # a campaign subject names its run
        "ans:p1\n:d",
        "res:p1:extra",
        "vis:public",
        "lang:de",
        "remind:forever",
        "nudge:never:1",
        "digest:call:1",
        "reach:",
        "cmd:",
        "cmd:help:now",
        "f:report:one:mention",
        "f:report:1",
    ],
)
def test_malformed_payloads_parse_to_nothing(payload: str) -> None:
    found = ROUTES.button(payload.split(":"))
    prefix = payload.split(":")[0]
    if prefix == "cmd":
        assert CommandPress.unpack(payload) is None
    elif prefix == "f":
        assert FlowPress.unpack(payload) is None
    else:
        assert found is not None, payload
        route, parts = found
        assert route.payload.parse(parts) is None


def test_an_over_long_payload_is_no_payload() -> None:
    assert KeepPress.unpack("gdpr:keep") == KeepPress()
    assert ReachPress.unpack("reach:" + "x" * 100) is None  # Discord allows 100 characters
    with pytest.raises(ValueError, match="64 bytes"):
        ReachPress("é" * 30).pack()


def test_the_longest_prefix_names_the_family() -> None:
    """A family's actions with different rules have their own prefix (``gdpr:erase``)."""
    cases = {
        "gdpr:erase:3": (ErasePress, ["3"]),
        "gdpr:keep": (KeepPress, []),
        "ans:pv:d": (PreviewPress, ["d"]),
        "ans:p1:d": (AnswerPress, ["p1", "d"]),
        "sig:n:4": (NotePress, ["4"]),
        "sig:q:4": (TriagePress, ["q", "4"]),
    }
    for payload, (family, parts) in cases.items():
        found = ROUTES.button(payload.split(":"))
        assert found is not None and (found[0].payload, found[1]) == (family, parts), payload
    assert ROUTES.button(["gdpr", "nope", "3"]) is None
    assert ROUTES.button(["nope"]) is None


def test_values_that_would_not_come_back_are_not_packed() -> None:
    with pytest.raises(ValueError):
        ApprovalPress("y", -1).pack()
    with pytest.raises(ValueError):
        ApprovalPress("y", MAX_ID + 1).pack()
    with pytest.raises(ValueError):
        ReachPress("a:b").pack()
    with pytest.raises(ValueError):
        ReachPress("").pack()


def test_a_family_the_machinery_cannot_carry_fails_at_registration() -> None:
    @dataclass(frozen=True)
    class Floating(Payload, prefix="float"):
        ratio: float

    @dataclass(frozen=True)
    class OptionalFirst(Payload, prefix="opt"):
        first: Literal["a"] | None
        second: int

    for family in (Floating, OptionalFirst):
        with pytest.raises(TypeError):
            Router("probe").button(family, access=Access.MEMBER)
    with pytest.raises(ValueError):

        class Empty(Payload, prefix="a::b"):
            pass


def test_a_prefix_is_registered_once_and_never_shadows_flows_or_commands() -> None:
    @dataclass(frozen=True)
    class Flowish(Payload, prefix="f:x"):
        pass

    router = Router("probe")
    with pytest.raises(ValueError):
        router.button(Flowish, access=Access.MEMBER)
    with pytest.raises(ValueError):
        Routes.of([*handlers.ROUTERS, _approvals_again()])


def _approvals_again() -> Router:
    router = Router("approvals again")

    @router.button(ApprovalPress, access=Access.ACTIVE)
    async def decide(_ctx: object, _press: ApprovalPress) -> None:
        return None

    return router
