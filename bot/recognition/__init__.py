"""Recognition members see: level-ups announced, badges earned once, the ambassador of
the month, points awarded by hand for offline acts.

The facts live in :mod:`bot.models.recognition`, each unique in the database; the job
:mod:`jobs.recognition` turns new facts into messages through the delivery queue, keyed
by the fact, so nothing is announced twice.
"""
