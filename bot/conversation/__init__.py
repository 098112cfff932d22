"""What a handler receives and how an update reaches it: the context, routers, the command
table, typed button payloads and multi-step flows."""
