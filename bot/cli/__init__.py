"""The ``relais`` command line: running, the console, migrations, and the data commands
(import, export, the demo network)."""
