"""/me, /privacy and /language: a member's own page and settings.

Buttons: ``vis:<visibility>`` (active members, as /privacy) and ``lang:<code>`` (any
member, as /language); each changes the presser's own settings only.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.activity.recent import RecentAction, recent_actions
from bot.activity.review import REJECT_REASON, REJECTED
from bot.activity.signals import WON_REASON
from bot.activity.standings import level_progress, rank_of, totals
from bot.animation.kit import sharing
from bot.conversation.commands import Access, CommandPress
from bot.conversation.context import Context
from bot.conversation.routing import Router
from bot.core.config import LANGUAGES
from bot.core.i18n import N_
from bot.core.payloads import Payload
from bot.core.periods import week_start
from bot.core.port import Button
from bot.models import MemberStatus, Visibility
from bot.recognition.awards import REASON as AWARD_REASON
from bot.recognition.badges import badges_of
from handlers._labels import KIND, category_name, subkind_name

router = Router("me")

STATUS = {
    MemberStatus.ACTIVE: N_("active"),
    MemberStatus.PENDING: N_("waiting for approval"),
    MemberStatus.REJECTED: N_("not accepted"),
}
VISIBILITY = {
    Visibility.NAME: N_("Under my name"),
    Visibility.ANONYMOUS: N_("Anonymously"),
    Visibility.HIDDEN: N_("Not at all"),
}
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


@dataclass(frozen=True)
class VisibilityPress(Payload, prefix="vis"):
    visibility: Visibility


@dataclass(frozen=True)
class LanguagePress(Payload, prefix="lang"):
    code: str

    def valid(self) -> bool:
        return self.code in LANGUAGES


@router.command("me")
async def me(ctx: Context) -> None:
    """Status, points, ranks, level and recent actions, privately."""
    member = ctx.member
    assert member is not None
    now = ctx.clock.now()
    points = await totals(ctx.session, ctx.settings, member.id, now)
    week = week_start(now, ctx.settings.network.timezone)
    rank_category = await rank_of(ctx.session, member.id, week, member.category)
    rank_overall = await rank_of(ctx.session, member.id, week, None)
    progress = level_progress(ctx.settings, points.all_time)
    category = category_name(ctx, member.category)
    lines = [
        f"{member.display_name} — {ctx._(STATUS[member.status])}",
        ctx._("Category: {category}", category=category),
        ctx._(
            "Points: {week} this week, {month} this month, {all} in all",
            week=points.week,
            month=points.month,
            all=points.all_time,
        ),
        _rank_line(ctx, rank_category, rank_overall, category),
        ctx._("Level: {level}", level=progress.level.name.get(ctx.language)),
    ]
    if progress.next_level is not None and progress.points_to_next is not None:
        lines.append(
            ctx.ngettext(
                "{n} point to {level}",
                "{n} points to {level}",
                progress.points_to_next,
                level=progress.next_level.name.get(ctx.language),
            )
        )
    shared, clicks = await sharing.member_reach(ctx.session, member.id)
    if shared:
        lines.append(
            ctx._("Kit: {shares} items shared, {clicks} clicks", shares=shared, clicks=clicks)
        )
    earned = await badges_of(ctx.session, member.id)
    if earned:
        names = [badge.label(ctx.settings, ctx.translator, ctx.language) for badge in earned]
        lines.append(ctx._("Badges: {badges}", badges=", ".join(names)))
    actions = await recent_actions(ctx.session, member.id)
    if actions:
        lines.append(ctx._("Last actions:"))
    lines += [_action_line(ctx, action) for action in actions]
    lines.append(
        ctx._("Leaderboards: {visibility}", visibility=ctx._(VISIBILITY[member.visibility]))
    )
    ctx.reply_private(
        "\n".join(lines),
        [[Button(ctx._("Leaderboard visibility"), CommandPress("privacy").pack())]],
    )


ALONE = {
    "sponsor": N_("Sponsor bonus"),
    "plan": N_("“Done” to an action plan"),
    "campaign": N_("“Done” to a campaign"),
    AWARD_REASON: N_("Points awarded by hand"),
}


def _action_line(ctx: Context, action: RecentAction) -> str:
    """One recent action with what the ledger says it earned."""
    local = action.at.astimezone(_zone(ctx)).strftime("%d/%m")
    points = ctx.ngettext("+{n} pt", "+{n} pts", action.points)
    report = action.report
    if report is None:
        reason = action.earned[0].reason
        what = ctx._(ALONE[reason]) if reason in ALONE else ctx._("Points")
        return f"• {local} {what} {points}"
    what = ctx._(KIND[report.kind])
    detail = subkind_name(ctx, report.kind, report.subkind)
    notes = []
    if action.has(REJECT_REASON) or report.review == REJECTED:
        notes.append(ctx._("rejected on review"))
    if action.has(WON_REASON):
        notes.append(ctx._("with the won-signal bonus"))
    if action.has("plan") or action.has("campaign"):
        notes.append(ctx._("with “Done”"))
    line = f"• {local} {what}" + (f" ({detail})" if detail else "") + f" {points}"
    return line + (f" — {', '.join(notes)}" if notes else "")


def _rank_line(ctx: Context, in_category: int | None, overall: int | None, category: str) -> str:
    """This week's ranks; none without points this week (one rule: standings.ranked)."""
    if in_category is None or overall is None:
        return ctx._("Rank this week: not ranked yet — one action this week puts you on the board.")
    return ctx._(
        "Rank this week: #{category_rank} in {category}, #{overall_rank} overall",
        category_rank=in_category,
        category=category,
        overall_rank=overall,
    )


def _zone(ctx: Context) -> ZoneInfo:
    return ZoneInfo(ctx.settings.network.timezone)


@router.command("privacy")
async def privacy(ctx: Context) -> None:
    """Offer the three ways to appear in public leaderboards."""
    assert ctx.member is not None
    current = ctx._(VISIBILITY[ctx.member.visibility])
    ctx.reply_private(
        ctx._("How do you want to appear in leaderboards? Now: {current}", current=current),
        [
            [Button(ctx._(label), VisibilityPress(value).pack())]
            for value, label in VISIBILITY.items()
        ],
    )


@router.button(VisibilityPress, access=Access.ACTIVE)
async def set_visibility(ctx: Context, press: VisibilityPress) -> None:
    """Apply a visibility choice; pressing the same button again changes nothing."""
    assert ctx.member is not None
    ctx.member.visibility = press.visibility
    ctx.edit_pressed(
        ctx._("Leaderboards: {visibility}", visibility=ctx._(VISIBILITY[ctx.member.visibility]))
    )
    ctx.reply(ctx._("Saved."))


@router.command("language")
async def language(ctx: Context) -> None:
    """Offer the languages Relais speaks."""
    ctx.reply(
        ctx._("Choose your language"),
        [[Button(LANGUAGE_NAMES[code], LanguagePress(code).pack()) for code in LANGUAGES]],
    )


@router.button(LanguagePress, access=Access.MEMBER, before_consent=True)
async def set_language(ctx: Context, press: LanguagePress) -> None:
    assert ctx.member is not None
    ctx.member.language = ctx.language = press.code
    ctx.edit_pressed(LANGUAGE_NAMES[press.code])
    ctx.reply(ctx._("I will speak English with you."))
