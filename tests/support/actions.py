"""What members do in the tests, in one call: report, press a button by its payload,
ask for a link code; and what it left in the ledger."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from bot.core.port import Event
from bot.models import PointsEntry, Report
from tests.support.harness import Network, OtherPlatform

CODE = re.compile(r"(?:code|CODE)\s*:\s*([A-Z0-9]{6})")


async def issue_code(network: Network, name: str) -> str:
    out = await network.play(f"@{name} /link")
    match = CODE.search(out)
    assert match is not None, out
    return match.group(1)


async def press_mention(network: Network, name: str, url: str) -> None:
    await network.play(
        f"""
        @{name} /report
        @{name} [Mention]
        @{name} [Press]
        @{name} {url}
        """
    )


async def press_or_say(platform: OtherPlatform, user: str, line: str) -> None:
    """``[value]`` presses the newest prompt's button whose payload ends with that value."""
    if not line.startswith("["):
        await platform.say(user, line)
        return
    value = line.strip("[]")
    prompt = next(item for item in reversed(platform.sent) if item.message.buttons)
    payload = next(
        button.payload
        for row in prompt.message.buttons
        for button in row
        if button.payload.endswith(f":{value}")
    )
    event = Event(
        platform=platform.name,
        user_id=user,
        chat_id=user,
        is_private=True,
        payload=payload,
        language_code="en",
    )
    await platform.app.dispatch(event, platform)


async def report_settlement(platform: OtherPlatform, user: str) -> None:
    await platform.say(user, "/report")
    await press_or_say(platform, user, "[settlement]")
    await platform.say(user, "A family moved to Lyon")


async def press(network: Network, user: str, payload: str) -> str:
    start = network.out.tell()
    event = Event(platform="console", user_id=user, chat_id=user, is_private=True, payload=payload)
    await network.app.dispatch(event, network.console)
    await network.app.sender.drain()
    return network.out.getvalue()[start:]


async def mention(network: Network, name: str, medium: str, url: str) -> None:
    await network.play(
        f"""
        @{name} /report
        @{name} [Mention]
        @{name} [{medium}]
        @{name} {url}
        """
    )


async def reports_and_points(network: Network) -> tuple[int, int]:
    async with network.sessions() as session:
        reports = await session.scalar(select(func.count()).select_from(Report))
        points = await session.scalar(select(func.coalesce(func.sum(PointsEntry.points), 0)))
    return int(reports or 0), int(points or 0)
