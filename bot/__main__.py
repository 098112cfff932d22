"""``python -m bot`` is the ``relais`` command."""

import sys

from bot.cli.main import main

sys.exit(main())
