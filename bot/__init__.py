"""Relais: everything the features (``handlers/``) and the clock's jobs (``jobs/``) stand on.

Read it top-down: :mod:`bot.runtime` composes the app (:mod:`bot.app`) with its routes and
jobs and starts the platforms (:mod:`bot.platforms`); the domain packages (``members``,
``activity``, ``animation``, ``delivery``, ``scheduling``, ``conversation``) hold the
network's rules, platform-free; :mod:`bot.core` is what they all speak, and
:mod:`bot.models` the tables. ``docs/development.md`` draws the map.
"""
