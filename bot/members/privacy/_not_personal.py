"""The tables that hold nothing about a person, and why: ``/forget`` has nothing to do
there. A table that holds a person's data belongs to a kind of data of the package
instead, which erases it or says why it may stay (a test checks that every table of the
models is in one place or the other).

Where one of these names a member as its author (a plan, a campaign, an event, a kit
item, a quiz question, a goal, a channel binding), the name is the member's id, and an
erased author is the anonymous husk.
"""

from __future__ import annotations

NOT_PERSONAL = {
    "action_plans": "a referent's call to action for a channel: the network's material",
    "campaigns": "a coordinator's broadcast: the network's material",
    "campaign_runs": "when a campaign went out and to which categories",
    "events": "a meeting the network plans: the network's material",
    "event_occurrences": "an event's dates and check-in codes",
    "event_notices": "which reminders of an event's date were sent",
    "event_posts": "where an event's card was posted in the channels",
    "event_natives": "a platform's own event mirroring an event's date",
    "kit_items": "the kit's items: the network's material",
    "quiz_questions": "the quiz's questions: the network's material",
    "quiz_posts": "where a question was posted in the channels",
    "partners": "places that honour the card: businesses, not members",
    "benefits": "what a partner gives card holders",
    "collective_goals": "the network's targets over a period",
    "channel_bindings": "which group chats serve as the network's channels",
    "delivery_senders": "the running senders' leases",
    "job_runs": "the recurring jobs' runs",
    "one_off_jobs": "jobs to run once (a campaign's run, a plan's reminder), named by what "
    "they run",
    "processed_updates": "the platforms' update ids already handled, without their content",
}
