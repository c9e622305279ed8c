"""Users: accounts, profiles and the superuser flag."""
