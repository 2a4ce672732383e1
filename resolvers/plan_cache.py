"""The plan cache: plans by document hash and operation name, least recently used out.

A request whose plan is cached does no planning work at all: no collection of
fields, no fetch building, no validation of fetch documents.
"""

from collections import OrderedDict

from resolvers.plan import Plan

DEFAULT_SIZE = 1000
"""Plans kept per executor; a portal has a few hundred persisted operations."""


class PlanCache:
    """A bounded least-recently-used map of ``(document hash, operation)`` to plans."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size < 1:
            raise ValueError(f"The plan cache needs room for a plan, not {size}.")
        self.size = size
        self._plans: OrderedDict[tuple[str, str | None], Plan] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, document_hash: str, operation_name: str | None) -> Plan | None:
        """The cached plan, marked as recently used, or None."""
        key = (document_hash, operation_name)
        plan = self._plans.get(key)
        if plan is None:
            self.misses += 1
            return None
        self.hits += 1
        self._plans.move_to_end(key)
        return plan

    def put(self, document_hash: str, operation_name: str | None, plan: Plan) -> None:
        """Keep ``plan``, dropping the least recently used one when full."""
        self._plans[(document_hash, operation_name)] = plan
        self._plans.move_to_end((document_hash, operation_name))
        while len(self._plans) > self.size:
            self._plans.popitem(last=False)

    def __len__(self) -> int:
        return len(self._plans)
