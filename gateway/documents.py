"""Parsing and validating documents once, cached by their hash.

A document's text is hashed (SHA-256 of its UTF-8 bytes, the hash that persisted
queries use too), parsed, checked against the syntactic limits and validated
against the public schema. The outcome, good or bad, is kept in a bounded LRU
cache, so that a document seen before costs one dictionary lookup. In production
mode validation refuses introspection and its messages make no suggestions
("Did you mean ...?"), so that the schema cannot be guessed field by field.
"""

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    GraphQLSchema,
    GraphQLSyntaxError,
    OperationDefinitionNode,
    OperationType,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule

from gateway.errors import (
    GatewayError,
    OperationNotFound,
    ParseFailed,
    ValidationFailed,
    graphql_errors,
)
from gateway.limits import Limits, check_size, check_syntax


def document_hash(text: str) -> str:
    """The SHA-256 of ``text`` in UTF-8, as lowercase hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Prepared:
    """A document as the cache holds it: valid, or the error that refuses it.

    ``document`` is set whenever the text parsed, even if it is refused, so that
    a mutation over GET can be answered with 405 before its validation errors.
    """

    hash: str
    document: DocumentNode | None
    error: GatewayError | None = None
    costs: dict[str | None, int] = field(default_factory=dict)
    """The cost of each operation by name, measured on first use."""

    def valid(self) -> DocumentNode:
        """The parsed and validated document.

        Raises:
            GatewayError: the error that refused the document.
        """
        if self.error is not None:
            raise self.error
        assert self.document is not None
        return self.document


class DocumentCache:
    """Parses and validates documents against one schema, remembering the outcome."""

    def __init__(self, schema: GraphQLSchema, limits: Limits, *, dev: bool) -> None:
        self.schema = schema
        self.limits = limits
        self.dev = dev
        self.rules = (
            list(specified_rules)
            if dev
            else [*specified_rules, NoSchemaIntrospectionCustomRule]
        )
        self._entries: OrderedDict[str, Prepared] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def prepare(self, text: str) -> Prepared:
        """The cached outcome of preparing ``text``, preparing it on a miss."""
        key = document_hash(text)
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
            return entry
        entry = self._prepare(key, text)
        self._entries[key] = entry
        if len(self._entries) > self.limits.document_cache_size:
            self._entries.popitem(last=False)
        return entry

    def _prepare(self, key: str, text: str) -> Prepared:
        try:
            check_size(text, self.limits)
            document = self._parse(text)
        except GatewayError as exc:
            return Prepared(key, None, exc)
        try:
            check_syntax(document, self.limits)
        except GatewayError as exc:
            return Prepared(key, document, exc)
        errors = validate(
            self.schema,
            document,
            self.rules,
            max_errors=self.limits.max_errors,
            hide_suggestions=not self.dev,
        )
        if errors:
            message = errors[0].message
            shaped = graphql_errors(errors, ValidationFailed.code)
            return Prepared(key, document, ValidationFailed(message, errors=shaped))
        return Prepared(key, document)

    def _parse(self, text: str) -> DocumentNode:
        try:
            return parse(text, max_tokens=self.limits.max_tokens)
        except GraphQLSyntaxError as exc:
            shaped = graphql_errors([exc], ParseFailed.code)
            raise ParseFailed(exc.message, errors=shaped) from exc


def select_operation(
    document: DocumentNode, operation_name: str | None
) -> OperationDefinitionNode:
    """The operation to run (GraphQL, 6.1 GetOperation).

    Raises:
        OperationNotFound: when the name matches no operation, or when the
            document has several operations and no name is given.
    """
    operations = [
        d for d in document.definitions if isinstance(d, OperationDefinitionNode)
    ]
    if operation_name is None:
        if len(operations) == 1:
            return operations[0]
        raise OperationNotFound(
            f"The document has {len(operations)} operations; "
            "name the one to run in 'operationName'."
        )
    for operation in operations:
        if operation.name is not None and operation.name.value == operation_name:
            return operation
    raise OperationNotFound(f"The document has no operation named {operation_name!r}.")


def is_mutation(operation: OperationDefinitionNode) -> bool:
    """True for a mutation, which never runs over GET."""
    return operation.operation == OperationType.MUTATION
