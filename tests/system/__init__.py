"""The whole system: a network's life, fuzzing, robustness, permissions, serving."""
