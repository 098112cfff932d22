"""Programs the tests run as separate processes (and kill), started by path with the
project root on ``PYTHONPATH`` (see :data:`tests.support.paths.WORKERS`)."""
