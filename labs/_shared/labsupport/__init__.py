"""Test helpers shared by every lab; they ship with each student copy.

- :mod:`labsupport.plugin`: whose code the tests run (``--lab-src``), per-test isolation, and
  a migrated throwaway SQLite database per test
- :mod:`labsupport.student`: importing the student's module so a broken one fails tests cleanly
- :mod:`labsupport.app`: test settings, an HTTP client for the app, accounts, the error shape
- :mod:`labsupport.migrations`: Alembic on the app's migrations plus a student's own

These helpers deliberately do not import the app's ``tests`` package: a student copy contains
only the installed app, not its test suite.
"""
