"""Service functions shared by the admin pages, the JSON API and the CLI.

Each takes a session and an ``Actor``, checks permission, changes state,
writes the case timeline and the audit log, and never commits: the caller
commits once, then delivers whatever the service queued for LINE.
"""
