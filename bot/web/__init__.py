"""The web part: one aiohttp application, started by ``relais run`` when ``[web] listen``
is set and alone by ``relais web``.

Today it serves the e-mail unsubscribe pages (:mod:`bot.web.unsubscribe`), the kit's
tracked links (:mod:`bot.web.kit_redirect`) and the member cards' verification page
(:mod:`bot.web.card_check`); the coordinators' desk, the members' Mini App and the
sign-up form join it as route modules of their own, each adding its routes in
:func:`bot.web.app.build`.
What every page shares is there: security headers, an access log with nothing personal,
pages in the visitor's language through the same catalogs as the bot.
"""
