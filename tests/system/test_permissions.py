"""The permission matrix: every new command and privileged button × {stranger, pending,
member, referent of this category, referent of another, coordinator} → allowed, or one
localized refusal that writes nothing at all."""

from __future__ import annotations

from bot.animation import plans
from bot.animation.campaigns import Draft, save
from bot.core.bilingual import Bilingual
from bot.core.i18n import Translator
from bot.core.port import Event
from bot.models import Repeat
from tests.support.harness import Network
from tests.support.people import member_id, said_to, snapshot, with_roles

#: role → (console user, language they speak)
PEOPLE = {
    "stranger": ("zed", "fr"),  # no member: the network's default language
    "pending": ("paul", "en"),
    "member": ("mia", "fr"),
    "referent here": ("rita", "en"),
    "referent elsewhere": ("otto", "fr"),
    "coordinator": ("carol", "en"),
}
EVERYONE_ACTIVE = {"member", "referent here", "referent elsewhere", "coordinator"}
REFERENTS_HERE = {"referent here", "coordinator"}
REFERENTS = {"referent here", "referent elsewhere", "coordinator"}
COORDINATOR = {"coordinator"}
REFUSALS = (
    "You are not a member yet. Send /start to join.",
    "Your application is waiting for a coordinator's approval.",
    "This command is for coordinators or referents.",
    "This button is for coordinators.",
    "This button is for coordinators or referents.",
    "You are not a referent of this category.",
    "This call is for other members: only the members it was addressed to can answer it.",
)
#: What is tried (``{tom}``, ``{pia}`` are member numbers; ``press:`` a button payload)
#: and who may. Tom and Pia are bystanders, so allowed changes do not move the matrix.
CASES: list[tuple[str, set[str]]] = [
    ("/invite", EVERYONE_ACTIVE),
    ("/plan business", REFERENTS_HERE),
    ("/plans business", REFERENTS_HERE),
    ("/members business", REFERENTS_HERE),
    ("/campaigns", REFERENTS),
    ("/campaign", COORDINATOR),
    ("/event", REFERENTS),
    ("/events", EVERYONE_ACTIVE),
    ("/checkin ABC234", EVERYONE_ACTIVE),
    ("/pending", COORDINATOR),
    ("/referent #{tom} business", COORDINATOR),
    ("/referent remove #{tom} business", COORDINATOR),
    ("/coordinator #{tom}", COORDINATOR),
    ("/coordinator remove #{tom}", COORDINATOR),
    ("/move #{tom} citizens", COORDINATOR),
    ("press:ans:p1:o", {"member"}),  # the plan addresses Business's members, not its author
    ("press:res:p1", REFERENTS_HERE),
    ("press:cmp:e:1", COORDINATOR),
    ("press:apv:y:{pia}", COORDINATOR),
    ("press:cmp:x:1", COORDINATOR),
]


async def matrix_network(network: Network) -> Network:
    network = with_roles(
        network,
        referents={"business": ["console:rita"], "sport": ["console:otto"]},
        network=network.settings.network.model_copy(update={"registration": "approval"}),
    )
    await network.join("carol")
    await network.join("rita")
    await network.join("otto", category="Sport", language="Français")
    for name, category, language in (
        ("mia", "Entreprises", "Français"),
        ("tom", "Sport", "English"),
        ("paul", "Business", "English"),
        ("pia", "Business", "English"),
    ):
        await network.join(name, category=category, language=language)
    for name in ("Mia", "Tom"):
        await network.play(f"@carol /pending\n@carol [Approve #{await member_id(network, name)}]")
    rita = await member_id(network, "Rita")
    async with network.sessions.begin() as session:
        draft = plans.Draft(
            "business", Bilingual(en="Plan"), Bilingual(en="Text"), Bilingual(en="Act"), None
        )
        await plans.publish(
            session, network.settings, network.app.translator, draft=draft, author_id=rita,
            author_name="Rita", platforms=["console"], now=network.clock.now(),
        )  # fmt: skip
        later = network.clock.now().replace(year=2027)
        campaign = Draft(
            ("business",), Bilingual(en="Hello"), Bilingual(en="Act"), later, Repeat.WEEKLY, False
        )
        session.add(save(None, campaign, author_id=1, now=network.clock.now()))
    await network.app.sender.drain()
    return network


async def attempt(network: Network, user: str, action: str) -> str:
    start = len(network.out.getvalue())
    if action.startswith("press:"):
        event = Event(
            platform="console", user_id=user, user_name=user.capitalize(), chat_id=user,
            is_private=True, payload=action.removeprefix("press:"), message_id="1",
        )  # fmt: skip
        await network.app.dispatch(event, network.console)
        await network.app.sender.drain()
    else:
        await network.play(f"@{user} {action}")
    return network.out.getvalue()[start:]


async def test_permission_matrix(network: Network) -> None:
    network = await matrix_network(network)
    translator = Translator("fr")
    numbers = {"tom": await member_id(network, "Tom"), "pia": await member_id(network, "Pia")}
    failures = []
    for template, allowed in CASES:
        action = template.format(**numbers)
        # Refusals first, so that what the allowed do cannot hide a write.
        for role in sorted(PEOPLE, key=lambda r: r in allowed):
            user, language = PEOPLE[role]
            before = await snapshot(network)
            out = await attempt(network, user, action)
            replies = said_to(out, f"@{user}")
            refusals = {translator.gettext(language, text) for text in REFUSALS}
            if role in allowed:
                if not replies or refusals & set(replies):
                    failures.append(f"{action} by {role}: refused or silent: {replies}")
                continue
            if len(replies) != 1 or replies[0] not in refusals:
                failures.append(f"{action} by {role}: expected one refusal, got {replies}")
            if await snapshot(network) != before:
                failures.append(f"{action} by {role}: a refusal wrote to the database")
    assert not failures, "\n".join(failures)


#: Commands whose gate Discord asks about before acknowledging (the public ones), and a
#: few with other gates (active only, referents, members pending or not).
GATED = ("/bind business", "/unbind", "/leaderboard", "/pending", "/plan business", "/me",
         "/stats", "/language")  # fmt: skip


async def test_the_gate_check_agrees_with_the_gate(network: Network) -> None:
    """``Relais.may_use`` (read before Discord's acknowledgement) says no exactly when the
    command's gate refuses: membership, status or role, not the handler's own checks."""
    network = await matrix_network(network)
    translator = Translator("fr")
    failures = []
    for action in GATED:
        name = action.split()[0].removeprefix("/")
        for role, (user, language) in PEOPLE.items():
            may = await network.app.may_use("console", user, name)
            replies = said_to(await attempt(network, user, action), f"@{user}")
            gate = {translator.gettext(language, text) for text in REFUSALS[:3]}
            refused = bool(gate & set(replies))
            if may == refused:
                failures.append(f"{action} by {role}: may_use={may}, replies={replies}")
    assert not failures, "\n".join(failures)
