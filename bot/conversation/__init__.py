"""What a handler receives and how an update reaches it: the context, routers (button
families registered with who may press them), the command table and multi-step flows.
Typed button payloads are :mod:`bot.core.payloads`, lower down, since :mod:`bot.animation`
builds buttons too."""
