"""The Discord adapter (discord.py 2.x): the platform itself (``adapter``), the channels and
server roles it manages, slash commands, components and sending."""
