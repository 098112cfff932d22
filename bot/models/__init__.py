"""The network's data, as typed SQLAlchemy 2 models, one module per aggregate.

Every business fact that must not be counted twice has a database constraint, so a
retried update cannot double it whatever the code path. Times are stored in UTC.
Everything is re-exported here: code imports ``from bot.models import Member``, and
importing the package registers every table on ``Base.metadata`` (Alembic needs them all).
"""

from bot.models.admin import AuditEntry, RoleSync
from bot.models.animation import (
    ActionPlan,
    Answer,
    Campaign,
    CampaignRun,
    CampaignStatus,
    ReferentCategory,
    Repeat,
)
from bot.models.base import NAMING, Base, UTCDateTime, enum_column
from bot.models.cards import Benefit, BenefitUse, MemberCard, Partner
from bot.models.chats import (
    ChannelBinding,
    Conversation,
    GroupGreeting,
    PlatformState,
    ProcessedUpdate,
    UpdateCount,
)
from bot.models.deliveries import Delivery, DeliverySender, DeliveryStatus, DeliverySubject
from bot.models.desk import CoordinatorNote, DeskLink, DeskSession
from bot.models.directory import Introduction, IntroStatus, MeetingPair, Profile
from bot.models.email import EmailAddress
from bot.models.events import (
    Attendance,
    Event,
    EventFeedback,
    EventNotice,
    EventOccurrence,
    EventPost,
    EventStatus,
    NativeEvent,
    Rsvp,
    RsvpAnswer,
)
from bot.models.jobs import JobRun, OneOffJob, OneOffStatus
from bot.models.kit import KitClick, KitItem, KitKind, KitShare, KitUse
from bot.models.ledger import (
    TAKEN_UP,
    MemberTotal,
    PointsEntry,
    Report,
    ReportEvent,
    ReportKind,
    SignalStage,
    SignalValue,
)
from bot.models.nudges import CampaignReach, Nudge, NudgePreference, NudgeStep
from bot.models.people import (
    Identity,
    LinkAttempts,
    LinkCode,
    Member,
    MemberStatus,
    Role,
    Visibility,
)
from bot.models.quiz import QuizAnswer, QuizPost, QuizQuestion
from bot.models.recognition import (
    BadgeEarned,
    CollectiveGoal,
    LevelReached,
    MonthlyAmbassador,
    PointsAward,
)
from bot.models.suppression import Suppression

__all__ = [
    "NAMING",
    "TAKEN_UP",
    "ActionPlan",
    "Answer",
    "Attendance",
    "AuditEntry",
    "BadgeEarned",
    "Base",
    "Benefit",
    "BenefitUse",
    "Campaign",
    "CampaignReach",
    "CampaignRun",
    "CampaignStatus",
    "ChannelBinding",
    "CollectiveGoal",
    "Conversation",
    "CoordinatorNote",
    "Delivery",
    "DeliverySender",
    "DeliveryStatus",
    "DeliverySubject",
    "DeskLink",
    "DeskSession",
    "EmailAddress",
    "Event",
    "EventFeedback",
    "EventNotice",
    "EventOccurrence",
    "EventPost",
    "EventStatus",
    "GroupGreeting",
    "Identity",
    "IntroStatus",
    "Introduction",
    "JobRun",
    "KitClick",
    "KitItem",
    "KitKind",
    "KitShare",
    "KitUse",
    "LevelReached",
    "LinkAttempts",
    "LinkCode",
    "MeetingPair",
    "Member",
    "MemberCard",
    "MemberStatus",
    "MemberTotal",
    "MonthlyAmbassador",
    "NativeEvent",
    "Nudge",
    "NudgePreference",
    "NudgeStep",
    "OneOffJob",
    "OneOffStatus",
    "Partner",
    "PlatformState",
    "PointsAward",
    "PointsEntry",
    "ProcessedUpdate",
    "Profile",
    "QuizAnswer",
    "QuizPost",
    "QuizQuestion",
    "ReferentCategory",
    "Repeat",
    "Report",
    "ReportEvent",
    "ReportKind",
    "Role",
    "RoleSync",
    "Rsvp",
    "RsvpAnswer",
    "SignalStage",
    "SignalValue",
    "Suppression",
    "UTCDateTime",
    "UpdateCount",
    "Visibility",
    "enum_column",
]
