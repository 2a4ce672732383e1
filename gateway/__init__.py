"""The Starlette application, its settings, GraphiQL and the command line.

The only package that configures logging.
"""
