"""What referents and coordinators run to wake members up: action plans, campaigns, the
answers to their calls to action, their results, and the nudge ladder."""
