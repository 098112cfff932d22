"""The coordinators' desk: web pages over the same data, the same rules and the same
catalogs as the bot.

Signing in (:mod:`~bot.web.desk.signin`), the gate every page passes
(:mod:`~bot.web.desk.access`), then one module per page, each with its own
``add_routes`` listed in :data:`bot.web.app.ROUTES` and its template in
``bot/web/templates/``. How to add a page: docs/development.md ("Adding a desk page").
"""
