"""Events: meetings members answer, attend and rate (issue #16).

Below the handlers and jobs, above the models: :mod:`.occurrences` expands repeats in
the network's time zone, :mod:`.drafts` creates, edits and cancels, :mod:`.rsvp` answers
with capacity and waiting list, :mod:`.checkin` records attendance once (and its points
once, through the ledger), :mod:`.calendar` writes ``.ics`` files, :mod:`.words` says a
date in the reader's language, :mod:`.results` counts, :mod:`.render` draws the card.
"""
