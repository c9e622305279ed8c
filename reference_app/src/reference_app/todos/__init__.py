"""Todos: each user's private task list."""
