"""GitHub: the pull-request policy, commit statuses, the sticky comment, events."""
