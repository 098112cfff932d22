"""The house's rules, checked on the source: layers, cycles, packages, feature folders."""
