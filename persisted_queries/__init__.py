"""Automatic persisted queries and trusted documents, with their store."""
