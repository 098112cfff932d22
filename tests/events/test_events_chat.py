"""Events on the console, end to end: written in private and previewed, posted to the
category's channel and privately, answered with a capacity and a waiting list (the
promoted member told, the card's counts edited within the edit limit and always ending on
the final state), checked in by code and by deep link once, marked by hand, rated, counted
in the results; cancelled with one notice each; forged presses and codes refused."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.port import Event
from bot.models import Attendance, AuditEntry, Delivery, EventFeedback, PointsEntry, Rsvp
from tests.support.events_chat import create, events_network, occurrence
from tests.support.harness import Network
from tests.support.people import count, member_id, said_to, snapshot


async def press(network: Network, user: str, payload: str, chat: str | None = None) -> str:
    """``user`` presses a button carrying ``payload``, whatever is on screen (a forged
    or an old button)."""
    start = len(network.out.getvalue())
    event = Event(
        platform="console", user_id=user, user_name=user.capitalize(),
        chat_id=chat or user, is_private=chat is None, payload=payload, message_id="1",
    )  # fmt: skip
    await network.app.dispatch(event, network.console)
    await network.app.sender.drain()
    return network.out.getvalue()[start:]


async def test_create_invite_answer_check_in_and_results(network: Network) -> None:
    network = await events_network(network)
    out = await network.play(create(capacity="2", invites="Yes, privately too"))
    assert "Preview — this is how members will see it:" in out
    carol = said_to(out, "@carol")
    preview = carol[carol.index("Preview — this is how members will see it:") + 1]
    card = said_to(out, "#business")[-1]
    assert card == preview.replace("\n[1]", "\n[pinned]\n[1]")  # as members see it, pinned
    assert card.startswith("📅 Afterwork for newcomers\n\nUn verre pour faire connaissance.")
    assert "🕒 mardi 10 mars 2026, 18 h 30 – 20 h 30\n📍 Café du Port, Lyon" in card
    # Privately too, each in their language; not another category.
    assert said_to(out, "@alice")[-1].startswith("📅 Afterwork for newcomers\n\nA drink to")
    assert "Tuesday 10 March 2026, 6:30 PM – 8:30 PM" in said_to(out, "@alice")[-1]
    assert said_to(out, "@mia")[-1].startswith("📅 Afterwork for newcomers\n\nUn verre")
    assert said_to(out, "@dave") == []
    # The preview's buttons record nothing.
    out = await press(network, "carol", "evp:going")
    assert said_to(out, "@carol") == [
        "This is a preview: members' answers will count, not this one."
    ]
    assert await count(network, Rsvp) == 0

    out = await network.play(
        """
        @alice #business [J'y serai]
        @bob #business [J'y serai]
        @cleo #business [J'y serai]
        @bob #business [J'y serai]
        @alice #business [Je ne peux pas]
        """
    )
    assert said_to(out, "@alice") == [
        "You are going to “Afterwork for newcomers”, Tuesday 10 March 2026, 6:30 PM – 8:30 PM."
        " See you there!",
        "Noted: you can't go to “Afterwork for newcomers”. Thank you for saying so.",
    ]
    assert said_to(out, "@bob")[-1] == "You had already answered: Going."
    assert said_to(out, "@cleo") == [
        "“Afterwork for newcomers” is full: you are on the waiting list. I will tell you if a "
        "place frees up.",
        "A place opened up: you are now going to “Afterwork for newcomers” — Tuesday 10 March "
        "2026, 6:30 PM – 8:30 PM.\n[1] Can't go after all  [2] Add to calendar",
    ]
    # One edit of the card at once, the others held back by the edit limit…
    edits = [line for line in out.splitlines() if line.startswith("→ #business (edited)")]
    assert len(edits) == 1
    assert "Présents : 1 · Peut-être : 0 · Absents : 0" in out
    # …until the job shows the final state.
    out = await network.play("~ +1m")
    assert said_to(out, "#business")[-1].count("Présents : 2 · Peut-être : 0 · Absents : 1") == 1
    out = await network.play("~ +1m")
    assert "#business" not in out  # nothing changed since: no edit
    # Mia answers from her private invitation, whose counts are edited in place.
    out = await network.play("@mia [2]")
    assert said_to(out, "@mia")[0].startswith("Noté")
    assert "Peut-être" in said_to(out, "@mia")[1] or "Maybe" in said_to(out, "@mia")[1]

    # Add to calendar: the file and the date in words, privately.
    out = await network.play("@bob #business [Ajouter à l'agenda]")
    assert said_to(out, "@bob") == [
        "📅 Afterwork for newcomers\nTuesday 10 March 2026, 6:30 PM – 8:30 PM\n"
        "Café du Port, Lyon\nOpen the file to add it to your calendar.\n"
        "[file: afterwork-for-newcomers-20260310.ics, " + said_to(out, "@bob")[0].rsplit(", ", 1)[1]
    ]
    document = network.console.history[-1].message.document
    assert document is not None and b"BEGIN:VEVENT" in document[1]

    # Check-in: too early, then by code and by deep link, once each.
    code = (await occurrence(network)).checkin_code
    out = await network.play(f"~ +5d\n@bob /checkin {code}")
    assert said_to(out, "@bob")[-1] == (
        "Check-in for “Afterwork for newcomers” is open from 10/03/2026 17:30 to "
        "10/03/2026 22:30 only."
    )
    # Reminders to those going, the day before and two hours before, once each.
    out = await network.play("~ +1d")
    reminder = (
        "Reminder: “Afterwork for newcomers” — Tuesday 10 March 2026, 6:30 PM – 8:30 PM\n"
        "Place: Café du Port, Lyon\n[1] Can't go after all  [2] Add to calendar"
    )
    assert said_to(out, "@bob") == [reminder] and said_to(out, "@cleo") == [reminder]
    assert said_to(out, "@alice") == []  # she can't go
    out = await network.play("~ +7h\n~ +1h")
    assert said_to(out, "@bob") == [reminder]
    out = await network.play(
        f"""
        @bob /checkin {code.lower()}
        @cleo /start ci-{code}
        @cleo /checkin {code}
        @dave /checkin {code}
        @bob /checkin NOPE42
        """
    )
    assert said_to(out, "@bob") == [
        "You are checked in at “Afterwork for newcomers”. Welcome!\n+10 points",
        "No event has the code NOPE42. Check it and try again.",
    ]
    assert said_to(out, "@cleo") == [
        "You are checked in at “Afterwork for newcomers”. Welcome!\n+10 points",
        "You were already checked in at “Afterwork for newcomers”.",
    ]
    assert said_to(out, "@dave") == ["This event is for other categories: you cannot check in."]
    async with network.sessions() as session:
        rows = await session.execute(select(Attendance.member_id, Attendance.how))
        hows = {row[0]: row[1] for row in rows}
    bob, cleo = await member_id(network, "Bob"), await member_id(network, "Cleo")
    assert hows == {bob: "code", cleo: "link"}
    assert await count(network, PointsEntry, PointsEntry.reason == "event") == 2

    # The organizer marks Alice by hand (audited), once.
    out = await network.play(
        """
        @carol /events
        @carol [Check-in #1]
        """
    )
    screen = said_to(out, "@carol")[-1]
    assert f"Code: {code}" in screen and f"/checkin {code}" in screen
    out = await network.play(
        """
        @carol [Mark attendance by hand]
        @carol Alice
        @carol alice
        @carol [Done]
        """
    )
    assert "Alice is marked as present." in out and "Alice was already marked" in out
    assert await count(network, AuditEntry, AuditEntry.action == "event.attendance") == 1

    # How was it: attendees only.
    occurrence_id = (await occurrence(network)).id
    assert "Thank you for telling us!" in await press(network, "bob", f"evf:{occurrence_id}:3")
    refused = await press(network, "dave", f"evf:{occurrence_id}:1")
    assert "Only those who checked in can rate this event." in refused
    assert await count(network, EventFeedback) == 1

    out = await network.play("@carol /events\n@carol [Results #1]")
    results = said_to(out, "@carol")[-1]
    assert "Going 2 · Maybe 1 · Can't go 1 · Waiting list 0" in results
    assert "Attended: 3 · No-shows: 0" in results
    assert "★★★ 1" in results
    assert "• Business:" in results
    out = await network.play("@carol /events\n@carol [Who #1]")
    assert "Going (2): Bob, Cleo" in out and "Can't go (1): Alice" in out


async def test_a_cancelled_event_tells_those_who_answered_once(network: Network) -> None:
    network = await events_network(network)
    await network.play(create(capacity="1"))
    out = await network.play(
        """
        @alice #business [J'y serai]
        @bob #business [J'y serai]
        @cleo #business [Je ne peux pas]
        @mia #business [Peut-être]
        @carol /events
        @carol [Cancel #1]
        @carol [Yes, cancel it]
        """
    )
    assert "Cancelled; 3 members are told." in out
    assert said_to(out, "@alice")[-1] == (
        "“Afterwork for newcomers” on Tuesday 10 March 2026, 6:30 PM – 8:30 PM is cancelled. "
        "Sorry for the change of plans!"
    )
    assert "annulé" in said_to(out, "@mia")[-1]  # in her language
    assert said_to(out, "@cleo")[-1].startswith("Noted")  # said no: not told
    assert said_to(out, "#business")[-1].startswith("❌")  # the card, at once
    occurrence_id = (await occurrence(network)).id
    again = await press(network, "carol", f"eva:sure:{occurrence_id}")
    assert "This event is already cancelled." in again
    cancelled = Delivery.key.like(f"event:{occurrence_id}:cancelled:%")
    assert await count(network, Delivery, cancelled) == 3
    out = await network.play("@alice #business [J'y serai]")
    assert "no button" in out or said_to(out, "@alice") == ["This event was cancelled."]


async def test_forged_presses_and_codes_are_refused_and_write_nothing(network: Network) -> None:
    network = await events_network(network)
    await network.play(create())
    occurrence_id = (await occurrence(network)).id
    before = await snapshot(network)
    out = await press(network, "dave", f"ev:{occurrence_id}:going", chat="#business")
    assert said_to(out, "@dave") == [
        "This event is for other categories: your answer was not recorded."
    ]
    out = await press(network, "dave", f"evc:{occurrence_id}")
    assert said_to(out, "@dave") == ["This event is for other categories."]
    out = await press(network, "sam", f"eva:who:{occurrence_id}")
    assert said_to(out, "@sam") == ["This event is not one of your categories'."]
    out = await press(network, "sam", f"eva:sure:{occurrence_id}")
    assert said_to(out, "@sam") == ["This event is not one of your categories'."]
    out = await press(network, "alice", f"eva:res:{occurrence_id}")
    assert said_to(out, "@alice") == ["This button is for coordinators or referents."]
    out = await press(network, "alice", "ev:999:going")
    assert said_to(out, "@alice") == ["This button is no longer active."]
    out = await press(network, "alice", f"ev:{occurrence_id}:waiting")  # not pressable
    assert said_to(out, "@alice") == ["This button is no longer active."]
    out = await network.play("@alice /event")
    assert said_to(out, "@alice") == ["This command is for coordinators or referents."]
    assert await snapshot(network) == before


async def test_a_referent_writes_for_their_category_and_edits_a_field(network: Network) -> None:
    network = await events_network(network)
    out = await network.play(
        """
        @rita /event
        @rita Pitch workshop
        @rita [Skip]
        @rita Sharpen your pitch in small committee.
        @rita https://meet.example.org/pitch
        @rita 12/03 18:00
        @rita 12/03/2026 19:30
        @rita [Skip]
        @rita 24
        @rita every 3 weeks
        @rita 25
        @rita [Channels only]
        @rita [Confirm]
        """
    )
    card = said_to(out, "#business")[-1]
    assert "Sharpen your pitch in small committee." in card
    assert "Venir rapporte 25 points." in card
    assert said_to(out, "#sport") == []
    out = await network.play(
        """
        @rita /events
        @rita [Edit #1]
        @rita [Change the title]
        @rita Pitch workshop #2
        """
    )
    assert said_to(out, "@rita")[-1] == "Changed. The posted cards show it now."
    assert said_to(out, "#business")[-1].startswith("📅 Pitch workshop #2")
    # Members see what is coming for them.
    out = await network.play("@alice /events\n@dave /events")
    assert "“Pitch workshop #2”" in said_to(out, "@alice")[0]
    assert said_to(out, "@dave") == ["No event is coming up for you at the moment."]
    out = await network.play("@alice /events\n@alice [Card #1]")
    assert said_to(out, "@alice")[-1].startswith("📅 Pitch workshop #2\n\nSharpen your pitch")
