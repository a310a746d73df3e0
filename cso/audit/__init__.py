"""Tools for auditors (issue 10): verify the log, export it for offline checks, anchor it,
and check the read models against a replay of the log."""
