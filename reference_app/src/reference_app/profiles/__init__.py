"""Profiles: the ``/users`` routes — yours, others' public part, changing yours, exporting it.

They sit above ``auth/`` because every one of them needs to know who is calling
(``CurrentUser``), while ``auth/`` itself stands on ``users/`` (the accounts it signs in). Kept
in ``users/``, the two packages would import each other.
"""
