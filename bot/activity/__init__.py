"""What members do and what it earns: reports, the review of mentions, opportunity signals,
standings and levels, the network's health, the weekly numbers and their charts."""
