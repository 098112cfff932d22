from tests.support.harness import Network

CREATE = """
@carol /event
@carol [Business]
@carol Afterwork for newcomers
@carol Un verre pour faire connaissance.
@carol A drink to meet each other.
@carol Café du Port, Lyon
@carol 10/03/2026 18:30
@carol 20:30
@carol 2
@carol [Skip]
@carol [Once only]
@carol [Skip]
@carol [Channels only]
@carol [Confirm]
"""


async def test_smoke(network: Network) -> None:
    await network.join("carol")
    for name in ("alice", "bob", "cleo"):
        await network.join(name)
    out = await network.play(CREATE)
    out += await network.play(
        """
        @alice #business [Going]
        @bob #business [Going]
        @cleo #business [Going]
        @alice #business [Can't go]
        @alice #business [Add to calendar]
        @carol /events
        ~ +6d
        @carol [Check-in #1]
        ~ +8h
        @bob /checkin abc
        """
    )
    print(out)
    assert 0
