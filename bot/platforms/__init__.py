"""Adapters only: each turns its platform's updates into the port's neutral events
(:mod:`bot.core.port`), awaits the app, and renders neutral messages back. The console is a
complete platform of its own (the test harness); Telegram and Discord are packages."""
