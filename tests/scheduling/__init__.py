"""bot/scheduling and jobs/: the scheduler, its leader among processes, jobs that fail."""
