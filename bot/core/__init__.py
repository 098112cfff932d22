"""What every part of Relais speaks: settings, the clock, translations, the database, the
platform port's neutral types, log redaction, schedules, periods and the audit log. Nothing here
imports a feature: this is the bottom of the house (only :mod:`bot.models` is below it)."""
