"""Reporting through the console: every kind, points, anti-gaming rules, bad input."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import Report, ReportKind
from tests.support.actions import reports_and_points
from tests.support.harness import Network


async def test_mention_with_link_earns_medium_points(network: Network) -> None:
    await network.join("alice")
    out = await network.play(
        """
        @alice /report
        @alice [Mention]
        @alice [Press]
        @alice https://news.test/lyon?utm_source=x
        """
    )
    assert "Your mention is recorded." in out and "+5 points" in out
    async with network.sessions() as session:
        report = await session.scalar(select(Report))
        assert report is not None
        assert (report.kind, report.subkind, report.url) == (
            ReportKind.MENTION,
            "press",
            "https://news.test/lyon?utm_source=x",
        )
    assert await reports_and_points(network) == (1, 5)


async def test_signal_and_settlement(network: Network) -> None:
    await network.join("alice")
    out = await network.play(
        """
        @alice /report
        @alice [Opportunity signal]
        @alice [Investor]
        @alice A fund looking at biotech in Gerland
        @alice Jane Doe, jane@fund.test
        @alice /report
        @alice [Settlement]
        @alice The Smith family moved to Villeurbanne
        """
    )
    assert "The coordinators will look at your signal." in out
    async with network.sessions() as session:
        signal = await session.scalar(select(Report).where(Report.kind == ReportKind.SIGNAL))
        assert signal is not None
        assert (signal.subkind, signal.contact, signal.stage) == (
            "investor",
            "Jane Doe, jane@fund.test",
            "new",
        )
    # signal 10 + settlement 30, capped at 30 a day
    assert await reports_and_points(network) == (2, 30)
    assert "today's points limit" in out


async def test_cancel_writes_nothing(network: Network) -> None:
    await network.join("alice")
    out = await network.play(
        """
        @alice /report
        @alice [Mention]
        @alice [Blog]
        @alice /cancel
        @alice https://blog.test/post
        """
    )
    assert "Cancelled. Nothing was saved." in out
    assert "I did not understand" in out
    assert await reports_and_points(network) == (0, 0)
    out = await network.play(
        """
        @alice /report
        @alice [Cancel]
        """
    )
    assert "Cancelled. Nothing was saved." in out
    assert await reports_and_points(network) == (0, 0)


async def test_report_in_progress_survives_a_restart(network: Network) -> None:
    await network.join("alice")
    await network.play(
        """
        @alice /report
        @alice [Mention]
        @alice [Video]
        """
    )
    restarted = await network.restarted()
    out = await restarted.play("@alice https://video.test/watch?v=1")
    assert "Your mention is recorded." in out
    assert await reports_and_points(restarted) == (1, 3)


async def test_report_resumes_at_its_step_after_restart(network: Network) -> None:
    await network.join("alice")
    await network.play(
        """
        @alice /report
        @alice [Mention]
        """
    )
    restarted = await network.restarted()
    out = await restarted.play(
        """
        @alice /report
        @alice [Conference]
        @alice [Skip]
        """
    )
    assert "You have a report in progress" in out
    assert "Where did you mention the territory?" in out
    assert await reports_and_points(restarted) == (1, 5)


async def test_same_link_counts_once_across_the_network(network: Network) -> None:
    await network.join("alice")
    await network.join("bob", category="Sport")
    out = await network.play(
        """
        @alice /report
        @alice [Mention]
        @alice [Blog]
        @alice https://www.blog.test/post/
        @bob /report
        @bob [Mention]
        @bob [Blog]
        @bob http://blog.test/post#comments
        """
    )
    assert "already reported, so it earns no points" in out
    assert await reports_and_points(network) == (2, 3)


async def test_daily_cap_resets_next_day(network: Network) -> None:
    await network.join("alice")
    settle = """
        @alice /report
        @alice [Settlement]
        @alice A startup opened its office in Part-Dieu
    """
    await network.play(settle)
    out = await network.play(settle)
    assert "recorded without points" in out
    assert await reports_and_points(network) == (2, 30)
    await network.play("~ +1d")
    await network.play(settle)
    assert await reports_and_points(network) == (3, 60)


async def test_bad_input_gets_a_short_answer_and_writes_nothing(network: Network) -> None:
    await network.join("alice")
    out = await network.play(
        f"""
        @alice /report
        @alice text instead of a button
        @alice [Mention]
        @alice [Social post]
        @alice https://
        @alice {"x" * 600}
        @alice /nonsense
        """
    )
    assert "Please choose with the buttons below" in out
    assert "That link does not look right" in out
    assert "That is too long" in out
    assert "Unknown command" in out
    assert "Traceback" not in out
    assert await reports_and_points(network) == (0, 0)


async def test_forged_and_stale_payloads_are_refused(network: Network) -> None:
    from bot.core.port import Event

    await network.join("alice")
    await network.play(
        """
        @alice /report
        @alice [Mention]
        """
    )
    for payload in (
        "f:report:1:mention",
        "f:report:2:nope",
        "f:report:x:press",
        "zz:1",
        "f:",
        "cmd:x:y",
    ):
        event = Event(
            platform="console",
            user_id="alice",
            chat_id="alice",
            is_private=True,
            payload=payload,
            message_id="1",
        )
        await network.app.dispatch(event, network.console)
    out = network.out.getvalue()
    assert out.count("This button is no longer active.") >= 5
    assert await reports_and_points(network) == (0, 0)


async def test_report_from_a_category_channel_moves_to_private(network: Network) -> None:
    await network.join("alice")
    out = await network.play("@alice #business /report")
    assert "→ #business: I have sent you a private message to continue." in out
    assert "→ @alice: What would you like to report?" in out
