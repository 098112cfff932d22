"""What the tests share: a network on a real database (``harness``), fakes of the
platforms and their servers, helpers that act as members, and the worker processes some
tests start and kill (``workers``). Test modules import from here, never from each other."""
