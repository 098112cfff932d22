"""Where things are in the checkout, from one place: tests move between folders, the
files they point at do not."""

from __future__ import annotations

from pathlib import Path

#: The project root (the checkout being tested).
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_CONFIG = ROOT / "config.example.toml"
#: The worker programs (``python WORKERS / "queue_worker.py"`` with ``PYTHONPATH=ROOT``).
WORKERS = Path(__file__).resolve().parent / "workers"
