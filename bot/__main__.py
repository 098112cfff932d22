"""``python -m bot`` is the ``relais`` command."""

import sys

from bot.cli import main

sys.exit(main())
