"""A loopback fake of Discord, so the adapter runs unmodified and nothing calls Discord.

Two halves, as on the real service:

* **REST**: an aiohttp server on 127.0.0.1 answering the endpoints Relais uses (login,
  application info, command sync, interaction callbacks, followups and their edits, DMs,
  channel messages, server members and their roles, server channels, channel categories
  and their permission overwrites, scheduled events). discord.py's own HTTP client and
  webhook adapter are pointed at it by moving ``discord.http.Route.BASE``; every request
  is recorded for the tests to read.
* **Gateway**: events in Discord's real payload shapes (GUILD_CREATE, INTERACTION_CREATE
  for slash commands, buttons and form submissions, MESSAGE_CREATE for DMs,
  GUILD_MEMBER_ADD for someone joining the server, GUILD_SCHEDULED_EVENT_USER_ADD/REMOVE
  for someone clicking "Interested" on a scheduled event or taking it back) fed to the
  client's own parsers, exactly where the websocket would hand them over.

People are :class:`Person`; :meth:`FakeDiscord.slash`, :meth:`press`, :meth:`submit` and
:meth:`dm` act as them and return once the adapter has finished the update. Reusable by
the benchmarks.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import discord
import discord.http
import yarl
from aiohttp import web
from discord.gateway import DiscordWebSocket

from bot.platforms.discord.adapter import DiscordPlatform
from bot.platforms.discord.ui import FIELD, FORM

APP_ID = 900000000000000001
GUILD_ID = 900000000000000002
GENERAL = 900000000000000003
BUSINESS = 900000000000000004
EPHEMERAL = 64
REASON = "X-Audit-Log-Reason"
CHANNELS = {GENERAL: "general", BUSINESS: "business"}
#: The server's roles: the ones a test configures Relais to manage, and one it does not.
ROLE_BUSINESS = 900000000000000011
ROLE_TOURISM = 900000000000000012
ROLE_REFERENT = 900000000000000013
ROLE_COORDINATOR = 900000000000000014
ROLE_MODERATOR = 900000000000000015
ROLES = {
    ROLE_BUSINESS: "Business",
    ROLE_TOURISM: "Tourism",
    ROLE_REFERENT: "Referents",
    ROLE_COORDINATOR: "Coordinators",
    ROLE_MODERATOR: "Moderators",
}


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    locale: str = "en-US"

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "username": self.name.lower(),
            "global_name": self.name,
            "discriminator": "0",
            "avatar": None,
            "bot": False,
        }


@dataclass
class Call:
    """One request Relais made to Discord."""

    method: str
    path: str
    body: Any
    query: dict[str, str]
    #: The audit-log reason Discord shows for the change (``X-Audit-Log-Reason``).
    reason: str | None = None

    @property
    def content(self) -> str:
        data = self.body.get("data", self.body) if isinstance(self.body, dict) else {}
        return str(data.get("content") or "") if isinstance(data, dict) else ""

    @property
    def flags(self) -> int:
        data = self.body.get("data", self.body) if isinstance(self.body, dict) else {}
        return int(data.get("flags") or 0) if isinstance(data, dict) else 0


@dataclass
class Failure:
    pattern: re.Pattern[str]
    status: int
    body: dict[str, Any]
    times: int


@dataclass
class Posted:
    """A message Relais made visible: where, to whom, its payload as Discord stores it."""

    payload: dict[str, Any]
    #: ``"dm:<user id>"``, ``"channel:<id>"`` or ``"interaction:<user id>"``.
    where: str

    @property
    def id(self) -> str:
        return str(self.payload["id"])

    @property
    def content(self) -> str:
        return str(self.payload.get("content") or "")

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.payload.get("flags") or 0) & EPHEMERAL)

    def buttons(self) -> list[tuple[str, str]]:
        """(label, custom_id) of every button, in order."""
        return [
            (button.get("label", ""), button["custom_id"])
            for row in self.payload.get("components", [])
            for button in row.get("components", [])
            if "custom_id" in button
        ]


@dataclass
class Token:
    """An interaction's token: who acted, where, and which message is ``@original``."""

    person: int
    channel: int | None  # None: in the person's DM
    original: str | None = None


@dataclass
class FakeDiscord:
    token: str = "fake-token"
    closed_dms: set[int] = field(default_factory=set)
    #: Who is in the server, with the ids of the roles they hold (tests edit it freely,
    #: as a moderator would by hand); role changes Relais makes land here.
    members: dict[int, set[int]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    posted: dict[str, Posted] = field(default_factory=dict)
    _failures: list[Failure] = field(default_factory=list)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(910000000000000000))
    _tokens: dict[str, Token] = field(default_factory=dict)
    #: Interactions already answered: Discord refuses a second response (code 40060).
    _acknowledged: set[str] = field(default_factory=set)
    _dm_of: dict[int, int] = field(default_factory=dict)
    _runner: web.AppRunner | None = None
    _base: str = ""
    _gateway_default: yarl.URL = DiscordWebSocket.DEFAULT_GATEWAY
    _port: int = 0
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _sequence: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    #: Set when a gateway connection has received READY and the server.
    connected: asyncio.Event = field(default_factory=asyncio.Event)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    #: The server's channels as Discord stores them (id → payload): the two text channels
    #: above at first; channels and channel categories Relais creates land here, so the
    #: next GUILD_CREATE (a restart) announces them. Tests edit it as a moderator would.
    channels: dict[int, dict[str, Any]] = field(
        default_factory=lambda: {
            cid: _channel(cid, name, position=i) for i, (cid, name) in enumerate(CHANNELS.items())
        }
    )

    #: The server's scheduled events as Discord stores them (id → payload); status 1
    #: scheduled, 2 active, 3 completed, 4 cancelled.
    scheduled_events: dict[int, dict[str, Any]] = field(default_factory=dict)

    # -- lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{path:.*}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        self._base = discord.http.Route.BASE
        discord.http.Route.BASE = self.base_url

    @property
    def base_url(self) -> str:
        """For ``discord.api_base_url`` (a ``relais run`` in another process)."""
        return f"http://127.0.0.1:{self._port}/api/v10"

    @property
    def gateway_url(self) -> str:
        """For ``discord.gateway_url``."""
        return f"ws://127.0.0.1:{self._port}/gateway"

    async def stop(self) -> None:
        discord.http.Route.BASE = self._base or discord.http.Route.BASE
        DiscordWebSocket.DEFAULT_GATEWAY = self._gateway_default
        for socket in list(self._sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    def fail(self, path: str, status: int, code: int = 0, *, times: int = 1) -> None:
        """The next ``times`` requests whose path matches ``path`` get this error."""
        body = {"code": code, "message": f"fake error {status}"}
        self._failures.append(Failure(re.compile(path), status, body, times))

    # -- what Relais sent, as tests read it -------------------------------------------

    async def wait_for(self, predicate: Callable[[], bool], within: float = 30.0) -> None:
        """Until ``predicate()`` holds, re-checked at every request Relais makes (for a
        ``relais run`` in another process, where no adapter counter is at hand)."""
        async with asyncio.timeout(within):
            while not predicate():
                self._changed.clear()
                await self._changed.wait()

    def tokens(self) -> list[str]:
        """The tokens of every interaction sent so far, oldest first."""
        return list(self._tokens)

    def requests(self, method: str, path_pattern: str) -> list[Call]:
        pattern = re.compile(path_pattern)
        return [call for call in self.calls if call.method == method and pattern.search(call.path)]

    def seen_by(self, person: Person) -> list[Posted]:
        """Messages this person can see, oldest first (DMs and their ephemeral ones)."""
        wanted = {f"dm:{person.id}", f"interaction:{person.id}"}
        return [posted for posted in self.posted.values() if posted.where in wanted]

    def in_channel(self, channel: int) -> list[Posted]:
        return [p for p in self.posted.values() if p.where == f"channel:{channel}"]

    def text_for(self, person: Person) -> str:
        return "\n".join(posted.content for posted in self.seen_by(person))

    def newest_with_buttons(self, person: Person) -> Posted:
        for posted in reversed(self.seen_by(person)):
            if posted.buttons():
                return posted
        raise AssertionError(f"{person.name} has no message with buttons")

    # -- gateway: people act ----------------------------------------------------------

    def guild_create(self, platform: DiscordPlatform) -> None:
        """The server and its channels, as the gateway announces them after READY."""
        platform.client._connection.parsers["GUILD_CREATE"](self.guild_payload())

    async def slash(
        self,
        platform: DiscordPlatform,
        person: Person,
        command: str,
        channel: int | None = GENERAL,
        **options: str,
    ) -> None:
        """``person`` runs ``/command`` in a server channel (``channel=None``: in a DM)."""
        payload = self.slash_payload(person, command, channel, **options)
        await self.feed(platform, "INTERACTION_CREATE", payload)

    def slash_payload(
        self, person: Person, command: str, channel: int | None = GENERAL, **options: str
    ) -> dict[str, Any]:
        """The INTERACTION_CREATE payload of ``/command`` (for :meth:`push`)."""
        data: dict[str, Any] = {
            "id": str(next(self._ids)),
            "name": command,
            "type": 1,
            "options": [{"name": k, "type": 3, "value": v} for k, v in options.items()],
        }
        if channel is not None:
            data["guild_id"] = str(GUILD_ID)
        return self.interaction(person, 2, data, channel=channel)

    async def press(
        self, platform: DiscordPlatform, person: Person, message: Posted, label: str
    ) -> None:
        """``person`` presses the button labelled ``label`` on ``message``."""
        await self.feed(platform, "INTERACTION_CREATE", self.press_payload(person, message, label))

    def press_payload(self, person: Person, message: Posted, label: str) -> dict[str, Any]:
        """The INTERACTION_CREATE payload of a press on ``label`` (for :meth:`feed`)."""
        custom_id = next(cid for text, cid in message.buttons() if text == label)
        data = {"custom_id": custom_id, "component_type": 2}
        return self.interaction(person, 3, data, message=message)

    async def submit(
        self, platform: DiscordPlatform, person: Person, message: Posted, text: str
    ) -> None:
        """``person`` types ``text`` into the form opened from ``message`` and submits."""
        await self.feed(platform, "INTERACTION_CREATE", self.submit_payload(person, message, text))

    def submit_payload(self, person: Person, message: Posted, text: str) -> dict[str, Any]:
        """The INTERACTION_CREATE payload of a form submitted with ``text``."""
        data = {
            "custom_id": FORM,
            "components": [
                {"type": 1, "components": [{"type": 4, "custom_id": FIELD, "value": text}]}
            ],
        }
        return self.interaction(person, 5, data, message=message)

    async def member_joins(self, platform: DiscordPlatform, person: Person) -> None:
        """``person`` joins the server (GUILD_MEMBER_ADD, sent with the members intent)."""
        self.members.setdefault(person.id, set())
        payload = {"guild_id": str(GUILD_ID), **self._member(person.id, person.payload())}
        await self.feed(platform, "GUILD_MEMBER_ADD", payload)

    def member_updated(self, platform: DiscordPlatform, person: Person) -> None:
        """Someone changed ``person``'s roles by hand (GUILD_MEMBER_UPDATE, members intent)."""
        payload = {"guild_id": str(GUILD_ID), **self._member(person.id, person.payload())}
        platform.client._connection.parsers["GUILD_MEMBER_UPDATE"](payload)

    def member_leaves(self, platform: DiscordPlatform, person: Person) -> None:
        """``person`` leaves the server (GUILD_MEMBER_REMOVE): Discord drops their roles."""
        self.members.pop(person.id, None)
        payload = {"guild_id": str(GUILD_ID), "user": self._member(person.id)["user"]}
        platform.client._connection.parsers["GUILD_MEMBER_REMOVE"](payload)

    async def interested(
        self, platform: DiscordPlatform, person: Person, event_id: int, *, added: bool = True
    ) -> None:
        """``person`` clicks "Interested" on a scheduled event (``added=False``: clicks it
        again to take it back): the USER_ADD/REMOVE dispatch, as the scheduled-events
        intent brings it (a bare payload of ids: the person need not be cached)."""
        payload = {
            "guild_scheduled_event_id": str(event_id),
            "user_id": str(person.id),
            "guild_id": str(GUILD_ID),
        }
        event = self.scheduled_events.get(event_id)
        if event is not None:
            event["user_count"] = max(0, int(event.get("user_count", 0)) + (1 if added else -1))
        name = "GUILD_SCHEDULED_EVENT_USER_" + ("ADD" if added else "REMOVE")
        await self.feed(platform, name, payload)

    def scheduled(self, status: int | None = None) -> list[dict[str, Any]]:
        """The server's scheduled events (with this status), oldest first."""
        events = sorted(self.scheduled_events.values(), key=lambda event: int(event["id"]))
        return [event for event in events if status is None or event["status"] == status]

    def add_channel(self, name: str, *, kind: int = 0, parent: int | None = None) -> dict[str, Any]:
        """A channel (0: text, 2: voice, 4: category) made by hand in the server."""
        channel = _channel(next(self._ids), name, kind=kind, parent=parent)
        self.channels[int(channel["id"])] = channel
        return channel

    def overwrite(self, channel: int, target: int) -> tuple[int, int] | None:
        """(allow, deny) bits of ``target``'s overwrite in ``channel``, if any."""
        for entry in self.channels[channel]["permission_overwrites"]:
            if int(entry["id"]) == target:
                return int(entry["allow"]), int(entry["deny"])
        return None

    def role_changes(self) -> list[tuple[str, int, int]]:
        """(``add`` or ``remove``, user id, role id) of every role request, in order."""
        pattern = re.compile(r"/guilds/\d+/members/(\d+)/roles/(\d+)$")
        changes = []
        for call in self.calls:
            match = pattern.search(call.path)
            if match is not None and call.method in ("PUT", "DELETE"):
                kind = "add" if call.method == "PUT" else "remove"
                changes.append((kind, int(match.group(1)), int(match.group(2))))
        return changes

    async def dm(self, platform: DiscordPlatform, person: Person, content: str) -> None:
        """``person`` writes ``content`` to the bot in their DM."""
        await self.feed(platform, "MESSAGE_CREATE", self.dm_payload(person, content))

    def dm_payload(self, person: Person, content: str) -> dict[str, Any]:
        """The MESSAGE_CREATE payload of ``content`` written in ``person``'s DM."""
        return self._message(self._dm_channel(person.id), content, author=person.payload())

    def interaction(
        self,
        person: Person,
        kind: int,
        data: dict[str, Any],
        *,
        channel: int | None = GENERAL,
        message: Posted | None = None,
    ) -> dict[str, Any]:
        """An INTERACTION_CREATE payload: a command (2), a button (3) or a form (5)."""
        if message is not None:
            channel = self._channel_of(message)
        token = f"token-{next(self._ids)}"
        interaction_id = next(self._ids)
        self._tokens[token] = Token(person.id, channel, message.id if message else None)
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(APP_ID),
            "type": kind,
            "token": token,
            "version": 1,
            "locale": person.locale,
            "app_permissions": "0",
            "entitlements": [],
            "attachment_size_limit": 8 * 1024 * 1024,
            "data": data,
        }
        if channel is not None:
            payload.update(
                guild_id=str(GUILD_ID),
                guild_locale="fr",
                channel_id=str(channel),
                channel={
                    "id": str(channel),
                    "type": 0,
                    "guild_id": str(GUILD_ID),
                    "name": CHANNELS.get(channel, "x"),
                },
                member={
                    "user": person.payload(),
                    "roles": [],
                    "joined_at": "2026-01-01T00:00:00+00:00",
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                    "permissions": "0",
                    "pending": False,
                },
                context=0,
            )
        else:
            dm = self._dm_channel(person.id)
            payload.update(
                channel_id=str(dm),
                channel={"id": str(dm), "type": 1, "recipients": [person.payload()]},
                user=person.payload(),
                context=1,
            )
        if message is not None:  # the message as it is when pressed (a replay keeps it so)
            payload["message"] = copy.deepcopy(message.payload)
        return payload

    async def feed(self, platform: DiscordPlatform, event: str, payload: dict[str, Any]) -> None:
        """Hand ``platform`` one gateway event, as discord.py parses it, and wait until
        it is handled; feeding the same payload again is a redelivery."""
        done = platform.updates_done
        platform.client._connection.parsers[event](payload)
        async with asyncio.timeout(10):
            await platform.wait_for_updates(done + 1)

    def _channel_of(self, message: Posted) -> int | None:
        kind, _, ident = message.where.partition(":")
        if kind == "channel":
            return int(ident)
        if kind == "interaction":
            return int(message.payload["channel_id"])
        return None

    def _dm_channel(self, user_id: int) -> int:
        if user_id not in self._dm_of:
            self._dm_of[user_id] = next(self._ids)
        return self._dm_of[user_id]

    # -- the gateway, over a real websocket (for ``relais run`` and ``serve``) -----------

    async def push(self, event: str, data: dict[str, Any]) -> None:
        """Send a dispatch to every connected client, as Discord's gateway would."""
        for socket in list(self._sockets):
            await socket.send_json({"op": 0, "t": event, "s": next(self._sequence), "d": data})

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        """HELLO; IDENTIFY → READY and GUILD_CREATE; heartbeats acknowledged. Text
        frames, so discord.py's zlib stream is never needed."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"op": 10, "d": {"heartbeat_interval": 41250}})
        self._sockets.append(socket)
        try:
            async for frame in socket:
                message = json.loads(frame.data)
                if message["op"] == 1:  # heartbeat
                    await socket.send_json({"op": 11})
                elif message["op"] == 2:  # identify
                    if message["d"].get("token") != self.token:
                        await socket.close(code=4004, message=b"Authentication failed")
                        break
                    await self._ready(socket)
        finally:
            self._sockets.remove(socket)
        return socket

    async def _ready(self, socket: web.WebSocketResponse) -> None:
        ready = {
            "v": 10,
            "user": _bot_user(),
            "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
            "session_id": "fake-session",
            "resume_gateway_url": self.gateway_url,
            "application": {"id": str(APP_ID), "flags": 0},
            "shard": [0, 1],
        }
        for event, data in (("READY", ready), ("GUILD_CREATE", self.guild_payload())):
            await socket.send_json({"op": 0, "t": event, "s": next(self._sequence), "d": data})
        self.connected.set()

    # -- REST ---------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["path"]
        body = await _body(request)
        self.calls.append(
            Call(request.method, path, body, dict(request.query), request.headers.get(REASON))
        )
        self._changed.set()
        bot_call = not path.startswith(("/interactions/", "/webhooks/"))
        if bot_call and request.headers.get("Authorization") != f"Bot {self.token}":
            return _json({"code": 0, "message": "401: Unauthorized"}, status=401)
        for failure in self._failures:
            if failure.times > 0 and failure.pattern.search(path):
                failure.times -= 1
                return _json(failure.body, status=failure.status)
        route = f"{request.method} {path}"
        for pattern, handler in self._routes():
            match = re.fullmatch(pattern, route)
            if match is not None:
                return handler(match, body)
        return _json({"code": 0, "message": f"fake: no route {route}"}, status=404)

    def _routes(self) -> list[tuple[str, Callable[[re.Match[str], Any], web.StreamResponse]]]:
        return [
            (r"GET /users/@me", lambda m, b: _json(_bot_user())),
            (r"GET /oauth2/applications/@me", lambda m, b: _json(_application())),
            (r"PUT /applications/\d+(?:/guilds/\d+)?/commands", self._sync),
            (r"POST /interactions/(\d+)/([\w-]+)/callback", self._callback),
            (r"POST /webhooks/\d+/([\w-]+)", self._followup),
            (r"PATCH /webhooks/\d+/([\w-]+)/messages/(@original|\d+)", self._edit_webhook),
            (r"DELETE /webhooks/\d+/([\w-]+)/messages/(@original|\d+)", self._delete_webhook),
            (r"POST /users/@me/channels", self._open_dm),
            (r"POST /channels/(\d+)/messages", self._channel_message),
            (r"PATCH /channels/(\d+)/messages/(\d+)", self._edit_channel_message),
            (r"GET /guilds/(\d+)/members/(\d+)", self._get_member),
            (r"(PUT|DELETE) /guilds/(\d+)/members/(\d+)/roles/(\d+)", self._member_role),
            (r"POST /guilds/(\d+)/channels", self._create_channel),
            (r"GET /channels/(\d+)", self._get_channel),
            (r"PATCH /channels/(\d+)", self._edit_channel),
            (r"(PUT|DELETE) /channels/(\d+)/permissions/(\d+)", self._permission),
            (r"POST /guilds/(\d+)/scheduled-events", self._create_event),
            (r"GET /guilds/(\d+)/scheduled-events/(\d+)", self._get_event),
            (r"PATCH /guilds/(\d+)/scheduled-events/(\d+)", self._edit_event),
            (r"DELETE /guilds/(\d+)/scheduled-events/(\d+)", self._delete_event),
        ]

    # -- scheduled events, with Discord's rules ------------------------------------------

    def _create_event(self, match: re.Match[str], body: Any) -> web.StreamResponse:
        event: dict[str, Any] = {
            "id": str(next(self._ids)),
            "guild_id": match.group(1),
            "channel_id": _snowflake(body.get("channel_id")),
            "creator_id": str(APP_ID),
            "creator": _bot_user(),
            "name": body.get("name"),
            "description": body.get("description"),
            "scheduled_start_time": body.get("scheduled_start_time"),
            "scheduled_end_time": body.get("scheduled_end_time"),
            "privacy_level": body.get("privacy_level"),
            "status": 1,
            "entity_type": body.get("entity_type"),
            "entity_id": None,
            "entity_metadata": None,
            "user_count": 0,
            "image": None,
        }
        return self._store_event(event, body)

    def _get_event(self, match: re.Match[str], body: Any) -> web.StreamResponse:
        event = self.scheduled_events.get(int(match.group(2)))
        if event is None:
            return _json(_UNKNOWN_EVENT, status=404)
        return _json(event)

    def _edit_event(self, match: re.Match[str], body: Any) -> web.StreamResponse:
        stored = self.scheduled_events.get(int(match.group(2)))
        if stored is None:
            return _json(_UNKNOWN_EVENT, status=404)
        status = body.get("status")
        if status is not None:
            allowed = {1: {2, 4}, 2: {3}}.get(int(stored["status"]), set())
            if int(status) not in allowed:
                return _json(_invalid("status", "cannot change to that status"), status=400)
            stored["status"] = int(status)
            return _json(stored)
        if stored["status"] != 1:
            return _json(_invalid("status", "only a scheduled event can be edited"), status=400)
        event = copy.deepcopy(stored)
        for key in ("name", "description", "scheduled_start_time", "scheduled_end_time"):
            if key in body:
                event[key] = body[key]
        if "entity_type" in body:
            event["entity_type"] = body["entity_type"]
        if "channel_id" in body:
            event["channel_id"] = _snowflake(body["channel_id"])
        return self._store_event(event, body)

    def _store_event(self, event: dict[str, Any], body: Any) -> web.StreamResponse:
        """Check an event as Discord does (required fields by kind, a voice channel that
        exists, times ahead and in order), then keep it."""
        if not event.get("name") or event.get("privacy_level") != 2:
            return _json(_invalid("name", "name and privacy_level 2 are required"), status=400)
        kind = int(event.get("entity_type") or 0)
        if kind == 3:
            metadata = body.get("entity_metadata") or event.get("entity_metadata") or {}
            location = str(metadata.get("location") or "")
            if not location or len(location) > 100 or not event.get("scheduled_end_time"):
                return _json(_invalid("entity_metadata", "location and end time"), status=400)
            event["entity_metadata"], event["channel_id"] = {"location": location}, None
        elif kind in (1, 2):
            channel = self.channels.get(int(event.get("channel_id") or 0))
            if channel is None or channel["type"] != (2 if kind == 2 else 13):
                return _json(_invalid("channel_id", "not a voice channel"), status=400)
            event["entity_metadata"] = None
        else:
            return _json(_invalid("entity_type", "unknown entity type"), status=400)
        if len(str(event.get("description") or "")) > 1000:
            return _json(_invalid("description", "too long"), status=400)
        start = datetime.fromisoformat(str(event["scheduled_start_time"]))
        end_text = event.get("scheduled_end_time")
        if end_text and datetime.fromisoformat(str(end_text)) <= start:
            return _json(_invalid("scheduled_end_time", "ends before it starts"), status=400)
        self.scheduled_events[int(event["id"])] = event
        return _json(event)

    def _delete_event(self, match: re.Match[str], body: Any) -> web.StreamResponse:
        if self.scheduled_events.pop(int(match.group(2)), None) is None:
            return _json(_UNKNOWN_EVENT, status=404)
        return web.Response(status=204)

    def _create_channel(self, match: re.Match[str], body: Any) -> web.StreamResponse:
        parent = body.get("parent_id")
        channel = _channel(
            next(self._ids),
            body["name"],
            kind=int(body.get("type") or 0),
            parent=int(parent) if parent else None,
            position=len(self.channels),
        )
        channel["permission_overwrites"] = [
            {
                **entry,
                "id": str(entry["id"]),
                "allow": str(entry["allow"]),
                "deny": str(entry["deny"]),
            }
            for entry in body.get("permission_overwrites") or []
        ]
        if body.get("topic"):
            channel["topic"] = body["topic"]
        self.channels[int(channel["id"])] = channel
        return _json(channel)

    def _get_channel(self, match: re.Match[str], body: Any) -> web.StreamResponse:
        channel = self.channels.get(int(match.group(1)))
        if channel is None:
            return _json({"code": 10003, "message": "Unknown Channel"}, status=404)
        return _json(channel)

    def _edit_channel(self, match: re.Match[str], body: Any) -> web.StreamResponse:
        channel = self.channels.get(int(match.group(1)))
        if channel is None:
            return _json({"code": 10003, "message": "Unknown Channel"}, status=404)
        channel.update({key: value for key, value in body.items() if key != "id"})
        return _json(channel)

    def _permission(self, match: re.Match[str], body: Any) -> web.StreamResponse:
        method, target = match.group(1), match.group(3)
        channel = self.channels.get(int(match.group(2)))
        if channel is None:
            return _json({"code": 10003, "message": "Unknown Channel"}, status=404)
        kept = [e for e in channel["permission_overwrites"] if e["id"] != target]
        if method == "PUT":
            entry = {
                "id": target,
                "type": int(body["type"]),
                "allow": str(body["allow"]),
                "deny": str(body["deny"]),
            }
            kept.append(entry)
        channel["permission_overwrites"] = kept
        return web.Response(status=204)

    def guild_payload(self) -> dict[str, Any]:
        """GUILD_CREATE's payload: the server as it stands now."""
        return _guild([dict(channel) for channel in self.channels.values()])

    def _member(self, user_id: int, user: dict[str, Any] | None = None) -> dict[str, Any]:
        anonymous = {"id": str(user_id), "username": f"u{user_id}", "discriminator": "0"}
        return {
            "user": user or {**anonymous, "global_name": None, "avatar": None, "bot": False},
            "roles": [str(role) for role in sorted(self.members.get(user_id, set()))],
            "joined_at": "2026-03-04T09:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
        }

    def _get_member(self, match: re.Match[str], body: Any) -> web.StreamResponse:
        user = int(match.group(2))
        if user not in self.members:
            return _json({"code": 10007, "message": "Unknown Member"}, status=404)
        return _json(self._member(user))

    def _member_role(self, match: re.Match[str], body: Any) -> web.StreamResponse:
        method, user, role = match.group(1), int(match.group(3)), int(match.group(4))
        if user not in self.members:
            return _json({"code": 10007, "message": "Unknown Member"}, status=404)
        if role not in ROLES:
            return _json({"code": 10011, "message": "Unknown Role"}, status=404)
        if method == "PUT":
            self.members[user].add(role)
        else:
            self.members[user].discard(role)
        return web.Response(status=204)

    def _sync(self, match: re.Match[str], body: Any) -> web.StreamResponse:
        commands = [
            {**command, "id": str(next(self._ids)), "application_id": str(APP_ID), "version": "1"}
            for command in body
        ]
        return _json(commands)

    def _callback(self, match: re.Match[str], body: Any) -> web.StreamResponse:
        interaction_id, token = match.group(1), match.group(2)
        if interaction_id in self._acknowledged:
            return _json(
                {"code": 40060, "message": "Interaction has already been acknowledged."},
                status=400,
            )
        self._acknowledged.add(interaction_id)
        kind = int(body["type"])
        data = body.get("data") or {}
        response: dict[str, Any] = {
            "interaction": {
                "id": interaction_id,
                "type": 2,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(int(data.get("flags") or 0) & EPHEMERAL),
            },
            "resource": {"type": kind},
        }
        if kind in (4, 5):  # a response message exists now (possibly "thinking…")
            message = self._message(0, data.get("content") or "", flags=int(data.get("flags") or 0))
            self._remember(message, self._tokens[token])
            self._tokens[token].original = message["id"]
            response["interaction"]["response_message_id"] = message["id"]
        return _json(response)

    def _followup(self, match: re.Match[str], body: Any) -> web.StreamResponse:
        flags, components = int(body.get("flags") or 0), body.get("components")
        message = self._message(0, body.get("content") or "", flags=flags, components=components)
        self._remember(message, self._tokens[match.group(1)])
        return _json(message)

    def _edit_webhook(self, match: re.Match[str], body: Any) -> web.StreamResponse:
        token, which = match.group(1), match.group(2)
        key = self._tokens[token].original if which == "@original" else which
        return self._apply_edit(key, body)

    def _delete_webhook(self, match: re.Match[str], body: Any) -> web.StreamResponse:
        token, which = match.group(1), match.group(2)
        key = self._tokens[token].original if which == "@original" else which
        if key is not None:
            self.posted.pop(key, None)
        return web.Response(status=204)

    def _open_dm(self, match: re.Match[str], body: Any) -> web.StreamResponse:
        user = int(body["recipient_id"])
        if user in CHANNELS:
            return _json({"code": 50033, "message": "Invalid Recipient(s)"}, status=400)
        return _json({"id": str(self._dm_channel(user)), "type": 1, "recipients": []})

    def _channel_message(self, match: re.Match[str], body: Any) -> web.StreamResponse:
        channel = int(match.group(1))
        owner = next((user for user, dm in self._dm_of.items() if dm == channel), None)
        if owner is not None and owner in self.closed_dms:
            return _json(
                {"code": 50007, "message": "Cannot send messages to this user"}, status=403
            )
        message = self._message(
            channel, body.get("content") or "", components=body.get("components")
        )
        where = f"dm:{owner}" if owner is not None else f"channel:{channel}"
        self.posted[message["id"]] = Posted(message, where)
        return _json(message)

    def _edit_channel_message(self, match: re.Match[str], body: Any) -> web.StreamResponse:
        return self._apply_edit(match.group(2), body)

    def _apply_edit(self, key: str | None, body: Any) -> web.StreamResponse:
        posted = self.posted.get(key or "")
        if posted is None:
            return _json({"code": 10008, "message": "Unknown Message"}, status=404)
        if "content" in body:
            posted.payload["content"] = body["content"]
        posted.payload["components"] = body.get("components") or []
        posted.payload["edited_timestamp"] = "2026-03-04T09:00:01+00:00"
        return _json(posted.payload)

    def _remember(self, message: dict[str, Any], token: Token) -> None:
        """Store an interaction's message where its person (or channel) sees it."""
        if token.channel is None:
            message["channel_id"] = str(self._dm_channel(token.person))
            where = f"dm:{token.person}"
        else:
            message["guild_id"] = str(GUILD_ID)
            message["channel_id"] = str(token.channel)
            ephemeral = int(message["flags"]) & EPHEMERAL
            where = f"interaction:{token.person}" if ephemeral else f"channel:{token.channel}"
        self.posted[message["id"]] = Posted(message, where)

    def _message(
        self,
        channel: int,
        content: str,
        *,
        author: dict[str, Any] | None = None,
        flags: int = 0,
        components: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        return {
            "id": str(next(self._ids)),
            "channel_id": str(channel),
            "type": 0,
            "content": content,
            "author": author or _bot_user(),
            "timestamp": "2026-03-04T09:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "flags": flags,
            "components": components or [],
        }


_UNKNOWN_EVENT = {"code": 10070, "message": "Unknown Guild Scheduled Event"}


def _snowflake(value: Any) -> str | None:
    """An id as Discord sends it back: a string (discord.py sends some as numbers)."""
    return None if value is None else str(value)


def _invalid(field: str, why: str) -> dict[str, Any]:
    return {"code": 50035, "message": "Invalid Form Body", "errors": {field: why}}


def _channel(
    cid: int, name: str, *, kind: int = 0, parent: int | None = None, position: int = 0
) -> dict[str, Any]:
    """A server channel's payload (0: text, 2: voice, 4: channel category)."""
    if kind == 2:
        voice = _channel(cid, name, parent=parent, position=position)
        return {**voice, "type": 2, "bitrate": 64000, "user_limit": 0, "rtc_region": None}
    return {
        "id": str(cid),
        "type": kind,
        "guild_id": str(GUILD_ID),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": str(parent) if parent else None,
    }


def _guild(channels: list[dict[str, Any]]) -> dict[str, Any]:
    everyone = {
        "id": str(GUILD_ID),
        "name": "@everyone",
        "permissions": "0",
        "position": 0,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }
    roles = [
        {**everyone, "id": str(role), "name": name, "position": position}
        for position, (role, name) in enumerate(ROLES.items(), start=1)
    ]
    return {
        "id": str(GUILD_ID),
        "name": "Lyon Ambassadors",
        "owner_id": "1",
        "channels": channels,
        "threads": [],
        "roles": [everyone, *roles],
        # Every member is listed (the bot alone): a small server needs no chunking.
        "members": [
            {
                "user": _bot_user(),
                "roles": [],
                "joined_at": "2026-01-01T00:00:00+00:00",
                "deaf": False,
                "mute": False,
                "flags": 0,
            }
        ],
        "member_count": 1,
        "emojis": [],
        "stickers": [],
        "features": [],
        "large": False,
        "unavailable": False,
        "preferred_locale": "fr",
    }


async def _body(request: web.Request) -> Any:
    if request.content_type.startswith("multipart/"):
        reader = await request.multipart()
        async for part in reader:
            if getattr(part, "name", None) == "payload_json":
                return json.loads(await part.text())  # type: ignore[union-attr]
        return {}
    text = await request.text()
    return json.loads(text) if text else None


def _bot_user() -> dict[str, Any]:
    return {
        "id": str(APP_ID),
        "username": "relais",
        "global_name": "Relais",
        "discriminator": "0",
        "avatar": None,
        "bot": True,
        "flags": 0,
    }


def _application() -> dict[str, Any]:
    return {
        "id": str(APP_ID),
        "name": "Relais",
        "icon": None,
        "description": "",
        "rpc_origins": [],
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": _bot_user(),
        "summary": "",
        "verify_key": "0" * 64,
        "team": None,
        "flags": 0,
    }


def _json(data: Any, status: int = 200) -> web.Response:
    """JSON as Discord sends it: discord.py checks the content type exactly."""
    response = web.Response(body=json.dumps(data).encode(), status=status)
    response.headers["Content-Type"] = "application/json"
    return response
