"""Buttons through the console, on both databases: every family still does its job for
the people it is meant for; forged or stale payloads get one short refusal and change
nothing; and who may press a button is declared where it is registered and checked by
the app's gate — the handler never sees a press the declaration refuses."""

from __future__ import annotations

import io
from dataclasses import dataclass

from sqlalchemy import func, select

import handlers
import jobs
from bot.activity.signals import Move
from bot.animation import plans
from bot.animation.calls import AnswerPress, Choice, PreviewPress, Subject
from bot.animation.campaigns import Draft, save
from bot.animation.nudge_buttons import DigestPress, NudgePress
from bot.app import Relais
from bot.conversation.commands import Access
from bot.conversation.context import Context
from bot.conversation.routing import Router, Routes
from bot.core.bilingual import Bilingual
from bot.core.payloads import Payload
from bot.core.port import Event
from bot.models import (
    Member,
    MemberStatus,
    Nudge,
    NudgeStep,
    Repeat,
    Report,
    ReportEvent,
    Role,
    Visibility,
)
from bot.platforms.console import ConsolePlatform
from handlers.privacy import ErasePress
from handlers.reach import ReachPress
from handlers.review import ReviewPress
from handlers.signals import NotePress, TriagePress
from tests.support.harness import Network
from tests.support.people import count, member, member_id, said_to, snapshot, with_roles

STALE = "This button is no longer active."
FOR_COORDINATORS = "This button is for coordinators."
FOR_REFERENTS = "This button is for coordinators or referents."
SIGNAL = """
@alice /report
@alice [Opportunity signal]
@alice [Investor]
@alice A fund looks at biotech in Gerland
@alice [Skip]
"""
MENTION = """
@alice /report
@alice [Mention]
@alice [Conversation]
@alice [Skip]
"""


async def desk(network: Network) -> Network:
    """Carol coordinates (config), Rita refers Business (config), Alice and Bob are
    approved Business members, Paul waits for approval."""
    update = {"registration": "approval", "default_language": "en"}
    network = with_roles(network, network=network.settings.network.model_copy(update=update))
    for name in ("carol", "rita", "alice", "bob", "paul"):
        await network.join(name)
    return network


async def press(network: Network, user: str, payload: str, chat: str | None = None) -> list[str]:
    """``user`` presses a button carrying ``payload``; what the bot told them."""
    start = network.out.tell()
    event = Event(
        platform="console", user_id=user, user_name=user.capitalize(), chat_id=chat or user,
        is_private=chat is None, payload=payload, message_id="1",
    )  # fmt: skip
    await network.app.dispatch(event, network.console)
    await network.app.sender.drain()
    return said_to(network.out.getvalue()[start:], chat or f"@{user}")


async def approved(network: Network, *names: str) -> None:
    for name in names:
        number = await member_id(network, name)
        out = await network.play(f"@carol /pending\n@carol [Approve #{number}]")
        assert f"{name} approved by Carol." in said_to(out, "@carol"), out


async def nudge_for(network: Network, name: str, step: NudgeStep) -> int:
    async with network.sessions.begin() as session:
        row = Nudge(
            member_id=await member_id(network, name), spell_start=network.clock.now(),
            ordinal=1 if step is NudgeStep.GENTLE else 3, step=step, variant="warm",
            sent_at=network.clock.now(),
        )  # fmt: skip
        session.add(row)
        await session.flush()
        return row.id


async def plan_and_campaign(network: Network) -> None:
    """Plan #1 in Business by Rita, and campaign #1 scheduled for next year."""
    rita = await member_id(network, "Rita")
    async with network.sessions.begin() as session:
        draft = plans.Draft(
            "business",
            Bilingual(en="Share the video"),
            Bilingual(en="Text"),
            Bilingual(en="Share it"),
            None,
        )
        await plans.publish(
            session, network.settings, network.app.translator, draft=draft, author_id=rita,
            author_name="Rita", platforms=["console"], now=network.clock.now(),
        )  # fmt: skip
        later = network.clock.now().replace(year=2027)
        campaign = Draft(
            ("business",), Bilingual(en="Hello"), Bilingual(en="Act"), later, Repeat.WEEKLY, False
        )
        session.add(save(None, campaign, author_id=rita, now=network.clock.now()))
    await network.app.sender.drain()


# -- every family, pressed by someone it is meant for -----------------------------------


async def test_approvals_command_buttons_and_flow_steps(network: Network) -> None:
    network = await desk(network)
    await approved(network, "Alice")  # apv:y:<id>:l from /pending
    assert (await member(network, "Alice")).status is MemberStatus.ACTIVE
    out = await network.play("@alice /help\n@alice [My points]")  # cmd:me
    assert said_to(out, "@alice")[-1].startswith("Alice — active")
    await network.play(MENTION)  # f:report:<version>:<value>
    assert await count(network, Report) == 1


async def test_review_and_signal_desk_buttons(network: Network) -> None:
    network = await desk(network)
    await approved(network, "Alice")
    await network.play(MENTION)
    out = await network.play("@rita /review\n@rita [Verify]")  # rev:v:<id>
    assert said_to(out, "@rita")[-1].endswith("→ Verified")
    await network.play(SIGNAL)
    out = await network.play("@carol [Qualify]")  # sig:q:<id>
    assert "Stage: qualified" in said_to(out, "@carol")[-1]
    out = await network.play("@carol [Add a note]\n@carol Called them")  # sig:n:<id>
    assert said_to(out, "@carol")[-1] == "Note added to signal #2."


async def test_a_members_own_settings(network: Network) -> None:
    network = await desk(network)
    await approved(network, "Alice", "Bob")
    out = await network.play("@alice /privacy\n@alice [Anonymously]")  # vis:anonymous
    assert said_to(out, "@alice")[-1] == "Saved."
    await network.play("@bob /language\n@bob [Français]")  # lang:fr
    out = await network.play("@alice /reminders\n@alice [Pause for a month]")  # remind:pause
    assert said_to(out, "@alice")[-1] == "Saved."
    assert await press(network, "alice", ReachPress("auto").pack()) == [
        "Private messages: automatic (where you last wrote to me in private)",
        "Saved.",
    ]
    assert (await member(network, "Alice")).visibility is Visibility.ANONYMOUS
    assert (await member(network, "Bob")).language == "fr"


async def test_nudge_answers_and_the_referents_digest(network: Network) -> None:
    network = await desk(network)
    await approved(network, "Alice")
    gentle = await nudge_for(network, "Alice", NudgeStep.GENTLE)
    replies = await press(network, "alice", NudgePress("later", gentle).pack())
    assert replies == ["Noted: I will remind you next week."]
    listed = await nudge_for(network, "Alice", NudgeStep.REFERENT)
    replies = await press(network, "rita", DigestPress("done", listed).pack())
    assert replies == ["Alice is marked as contacted."]


async def test_plan_and_campaign_buttons(network: Network) -> None:
    network = await desk(network)
    await approved(network, "Alice")
    await plan_and_campaign(network)
    answer = AnswerPress(Subject(plan_id=1), Choice.ON_IT).pack()
    assert await press(network, "alice", answer) == ["Your answer: I'm on it. Thank you!"]
    preview = PreviewPress(Choice.DONE).pack()
    assert await press(network, "rita", preview) == [
        "This is a preview: members' answers will be counted, not this one."
    ]
    out = await network.play("@rita /plans\n@rita [Results #1]")  # res:p1
    assert said_to(out, "@rita")[-1].startswith("Results of the plan “Share the video” (#1)")
    out = await network.play("@carol /campaigns\n@carol [Cancel #1]")  # cmp:x:1
    assert said_to(out, "@carol")[-1].startswith("Cancel campaign #1 “")
    out = await network.play("@carol [Yes, cancel it]")  # cmpx:y:1
    assert said_to(out, "@carol")[-1].startswith("Campaign #1 is cancelled.")


async def test_a_pending_member_answering_in_a_group_hears_why_in_private(
    network: Network,
) -> None:
    """The gate refuses Paul (pending) an answer under a plan; his application is told
    to him alone, not to the category's channel."""
    network = await desk(network)
    await plan_and_campaign(network)
    answer = AnswerPress(Subject(plan_id=1), Choice.DONE).pack()
    assert await press(network, "paul", answer, chat="business") == []
    assert said_to(network.out.getvalue(), "@paul")[-1] == (
        "Your application is waiting for a coordinator's approval."
    )


async def test_privacy_buttons(network: Network) -> None:
    network = await desk(network)
    await approved(network, "Alice", "Bob")
    out = await network.play("@alice /forget\n@alice [No, keep it]")  # gdpr:keep
    assert said_to(out, "@alice")[-1] == "Nothing was erased."
    bob = await member_id(network, "Bob")
    out = await network.play("@carol /erase bob\n@carol [Erase]")  # gdpr:erase:<id>
    assert said_to(out, "@carol")[-1].startswith(f"Member #{bob} was erased.")
    privacy = network.settings.privacy.model_copy(update={"consent_version": "2"})
    network = with_roles(network, privacy=privacy)
    out = await network.play("@alice /me\n@alice [I agree]")  # gdpr:consent:yes
    # Agreeing carries out the command that was held back (/me).
    assert said_to(out, "@alice")[-2:][0] == "Thank you!"
    assert said_to(out, "@alice")[-1].startswith("Alice — active")
    alice = await member_id(network, "Alice")
    out = await network.play("@alice /forget\n@alice [Yes, erase my data]")  # gdpr:forget:<id>
    assert said_to(out, "@alice")[-1].startswith("Your data was erased. Goodbye, and thank you.")
    async with network.sessions() as session:
        forgotten = await session.get(Member, alice)
        assert forgotten is not None and forgotten.status is MemberStatus.FORGOTTEN


# -- forged and stale payloads ------------------------------------------------------------

FORGED = [
    # wrong number of parts
    "apv:y", "apv:y:2:l:l", "cmp:e", "sig:q:1:1", "rev:v", "gdpr:keep:now", "gdpr:forget",
    "ans:p1", "res:p1:d", "nudge:stop", "digest:done", "vis", "lang:fr:en", "remind",
    "reach:auto:x", "cmd:me:now", "f:report:1", "ans:pv",
    # ids that are not ids
    "apv:y:two", "cmp:x:1.0", "sig:q:²", "rev:v:٣", "gdpr:erase:-3", "gdpr:forget:0x1",
    "nudge:stop:1e3", "digest:done:", "f:report:one:mention", "sig:n:99999999999",
    "apv:n:2147483648",
    # choices that do not exist
    "apv:maybe:2", "cmp:delete:1", "sig:z:1", "rev:ok:1", "gdpr:consent:maybe", "ans:p1:yes",
    "ans:q1:d", "ans:pv:yes", "res:plan1", "nudge:never:1", "digest:call:1", "vis:public",
    "lang:de", "remind:forever", "gdpr:nope:1", "nope:1", "", ":", "apv::2",
    # too long for any platform's payload
    "reach:" + "x" * 70, "apv:y:2:" + "l" * 60, "f:report:1:" + "é" * 40,
]  # fmt: skip
#: Well formed, but naming nothing (a deleted row, an old step): the handler says so.
GONE = [
    "apv:y:999999", "sig:q:999999", "sig:n:999999", "rev:v:999999", "gdpr:erase:999999",
    "res:p999999", "ans:p999999:d", "nudge:stop:999999", "digest:done:999999",
    "f:report:999:mention",
]  # fmt: skip


async def test_forged_and_stale_payloads_are_refused_and_change_nothing(network: Network) -> None:
    """Carol passes every gate; Alice is a member. Neither gets more than the refusal."""
    network = await desk(network)
    await approved(network, "Alice")
    await network.play(MENTION + SIGNAL)
    await plan_and_campaign(network)
    before = await snapshot(network)
    failures = []
    tries = [(payload, user) for payload in FORGED for user in ("carol", "alice")]
    for payload, user in [*tries, *((payload, "carol") for payload in GONE)]:
        replies = await press(network, user, payload)
        if replies != [STALE]:
            failures.append(f"{payload!r} by {user}: {replies}")
    assert not failures, "\n".join(failures)
    assert await snapshot(network) == before


# -- the gate -----------------------------------------------------------------------------

#: Who may press each family, as registered: prefix → (access, lowest role).
DECLARED = {
    "apv": (Access.ACTIVE, Role.COORDINATOR),
    "cmp": (Access.ACTIVE, Role.COORDINATOR),
    "sig": (Access.ACTIVE, Role.COORDINATOR),
    "sig:n": (Access.ACTIVE, Role.COORDINATOR),
    "gdpr:erase": (Access.ACTIVE, Role.COORDINATOR),
    "rev": (Access.ACTIVE, Role.REFERENT),
    "res": (Access.ACTIVE, Role.REFERENT),
    "digest": (Access.ACTIVE, Role.REFERENT),
    "ans": (Access.ACTIVE, Role.MEMBER),
    "vis": (Access.ACTIVE, Role.MEMBER),
    "ans:pv": (Access.MEMBER, Role.MEMBER),
    "gdpr:consent": (Access.MEMBER, Role.MEMBER),
    "gdpr:forget": (Access.MEMBER, Role.MEMBER),
    "gdpr:keep": (Access.MEMBER, Role.MEMBER),
    "nudge": (Access.MEMBER, Role.MEMBER),
    "lang": (Access.MEMBER, Role.MEMBER),
    "remind": (Access.MEMBER, Role.MEMBER),
    "creach": (Access.MEMBER, Role.MEMBER),
    "reach": (Access.MEMBER, Role.MEMBER),
    "link:revoke": (Access.MEMBER, Role.MEMBER),
    "link:role": (Access.ACTIVE, Role.REFERENT),
    "ev": (Access.ACTIVE, Role.MEMBER),
    "qz": (Access.ACTIVE, Role.MEMBER),
    "evc": (Access.ACTIVE, Role.MEMBER),
    "evf": (Access.ACTIVE, Role.MEMBER),
    "evk": (Access.ACTIVE, Role.MEMBER),
    "evs": (Access.ACTIVE, Role.MEMBER),
    "evp": (Access.ACTIVE, Role.REFERENT),
    "eva": (Access.ACTIVE, Role.REFERENT),
    "kit:l": (Access.ACTIVE, Role.MEMBER),
    "kit:o": (Access.ACTIVE, Role.MEMBER),
    "kit:a": (Access.ACTIVE, Role.MEMBER),
    "kit:m": (Access.ACTIVE, Role.REFERENT),
    "ptn": (Access.ACTIVE, Role.COORDINATOR),
    "apa": (Access.ACTIVE, Role.COORDINATOR),
    "cmpx": (Access.ACTIVE, Role.COORDINATOR),
    "pg:ap": (Access.ACTIVE, Role.COORDINATOR),
    "pg:sg": (Access.ACTIVE, Role.COORDINATOR),
    "pg:cp": (Access.ACTIVE, Role.REFERENT),
    "pg:mb": (Access.ACTIVE, Role.REFERENT),
    "pg:pl": (Access.ACTIVE, Role.REFERENT),
    "pg:rv": (Access.ACTIVE, Role.REFERENT),
    "prof": (Access.ACTIVE, Role.MEMBER),
    "dir:p": (Access.ACTIVE, Role.MEMBER),
    "dir:i": (Access.ACTIVE, Role.MEMBER),
    "dir:a": (Access.ACTIVE, Role.MEMBER),
    "dir:m": (Access.ACTIVE, Role.MEMBER),
}


def test_every_button_declares_who_may_press_it() -> None:
    routes = Routes.of(handlers.ROUTERS)
    declared = {prefix: (r.access, r.min_role) for prefix, r in routes.buttons.items()}
    assert declared == DECLARED


async def test_members_without_the_role_are_refused_by_the_gate(network: Network) -> None:
    """Valid presses on real objects: Alice (a member) gets the role the button needs,
    Paul (pending) that he waits; nothing is written."""
    network = await desk(network)
    await approved(network, "Alice")
    await network.play(MENTION + SIGNAL)
    await plan_and_campaign(network)
    listed = await nudge_for(network, "Alice", NudgeStep.REFERENT)
    paul = await member_id(network, "Paul")
    cases = {
        f"apv:y:{paul}": FOR_COORDINATORS,
        "cmp:x:1": FOR_COORDINATORS,
        TriagePress(Move.WON, 2).pack(): FOR_COORDINATORS,
        NotePress(2).pack(): FOR_COORDINATORS,
        ErasePress(paul).pack(): FOR_COORDINATORS,
        ReviewPress("v", 1).pack(): FOR_REFERENTS,
        "res:p1": FOR_REFERENTS,
        DigestPress("done", listed).pack(): FOR_REFERENTS,
    }
    before = await snapshot(network)
    failures = []
    for payload, refusal in cases.items():
        for user, expected in (
            ("alice", refusal),
            ("paul", "Your application is waiting for a coordinator's approval."),
            ("zed", "You are not a member yet. Send /start to join."),
        ):
            replies = await press(network, user, payload)
            if replies != [expected]:
                failures.append(f"{payload} by {user}: {replies}")
    assert not failures, "\n".join(failures)
    assert await snapshot(network) == before


@dataclass(frozen=True)
class ProbePress(Payload, prefix="probe"):
    member_id: int


async def test_the_gate_not_the_handler_refuses(network: Network) -> None:
    """A button registered for coordinators only: the handler runs for Carol with the
    parsed payload, and is never called for anyone else or for a malformed payload."""
    pressed: list[tuple[str, ProbePress]] = []
    probe = Router("probe")

    @probe.button(ProbePress, access=Access.ACTIVE, min_role=Role.COORDINATOR)
    async def record(ctx: Context, press: ProbePress) -> None:
        pressed.append((ctx.event.user_id, press))
        ctx.reply("probed")

    network = await desk(network)
    network.app = Relais(
        settings=network.settings, sessions=network.sessions, clock=network.clock,
        routes=Routes.of([probe, *handlers.ROUTERS]), jobs=jobs.TABLE,
    )  # fmt: skip
    network.out = io.StringIO()
    network.console = ConsolePlatform(network.app, network.out)
    await approved(network, "Alice")
    assert await press(network, "alice", "probe:7") == [FOR_COORDINATORS]
    assert await press(network, "rita", "probe:7") == [FOR_COORDINATORS]
    assert await press(network, "paul", "probe:7") == [
        "Your application is waiting for a coordinator's approval."
    ]
    assert await press(network, "carol", "probe:seven") == [STALE]
    assert await press(network, "carol", "probe:7:8") == [STALE]
    assert pressed == []
    assert await press(network, "carol", "probe:7") == ["probed"]
    assert pressed == [("carol", ProbePress(7))]


async def test_a_flow_stops_answering_who_lost_the_role(network: Network) -> None:
    """Flows declare their role too: a coordinator removed while writing a signal note
    is refused by the gate, and the note is not added."""
    network = await desk(network)
    await approved(network, "Alice", "Bob")
    await network.play(SIGNAL)
    await network.play("@carol /coordinator @Bob")
    assert (await member(network, "Bob")).role is Role.COORDINATOR
    await press(network, "bob", NotePress(1).pack())
    await network.play("@carol /coordinator remove bob")
    out = await network.play("@bob A note from a former coordinator")
    assert said_to(out, "@bob") == [
        "What you were doing was stopped; nothing was sent.",
        "This command is for coordinators or referents.",
    ]
    async with network.sessions() as session:
        notes = select(func.count()).select_from(ReportEvent).where(ReportEvent.action == "note")
        assert await session.scalar(notes) == 0
