"""What stops a bulk run before or between chunks: one exception, one line for the user.

A bad row never raises: it becomes a reject (``bulk.rows``). ``BulkError`` is for
what makes the run itself impossible (an unknown file name, a missing column, a
changed input on ``--resume``); the command prints its message and exits 2.
"""

from __future__ import annotations


class BulkError(Exception):
    """A bulk run that cannot start or go on; the message says what and what to do."""
