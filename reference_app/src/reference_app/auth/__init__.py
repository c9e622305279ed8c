"""Authentication: sign-up, login, refresh-token rotation with reuse detection, logout."""
