"""Federated execution: the query planner, the plan cache, the executor, the
transports to subgraphs, and the shaping of responses.
"""
