"""When jobs run: finding due occurrences from the injected clock (runner) and the process
that leads and ticks (scheduler). The jobs themselves live in the top-level ``jobs`` package;
the composition root hands their table to the app."""
