"""A compiled execution plan for reads: a subtree of plain fields completed by functions
made once per document (their pieces: cso.graphql.plans).

graphql-core completes every field of a response through the same general path: a
ResolveInfo, Strawberry's resolver wrapper, an awaitable check, and a dispatch on the
field's type — about 240 times for a page of 20 projects, where most fields only read an
attribute and serialize it. For a validated document, `PlannedExecutor` compiles per
(return type, field nodes) a plan that completes such a subtree synchronously:

- a plain field (a Strawberry field with no resolver, no extensions, no arguments) by an
  attribute read; an in-hand field (`fields.in_hand_field`) by the value its source holds;
- a leaf by its GraphQL type's own `coerce_output_value`, a list by iteration, an object by
  its sub-plans (fragments on the same type merged by graphql-core's own field collection),
  `__typename` by the type's name.

Anything else — a resolver, arguments, an abstract type, a type with `is_type_of`, a
directive anywhere in the document, a middleware — makes the subtree not compilable and
it goes through graphql-core as before. A plan raises on anything it does not expect (a
null for a non-null field, a value a scalar refuses, an in-hand value not in hand, an
exception as a value); the field is then completed by the standard path instead, which
gives the error, or the value, exactly as it would have. Plans have no side effects (no
resolver of ours runs in one: personal data is revealed and logged by async resolvers,
which are never compiled), so running the standard path after a plan gave up repeats
nothing.

A query asking for one root field marked `fields.reads_once`, whose whole value a plan
completes, runs no resolver but that field's: its snapshot is told so (`read_once`), and
the field's one statement runs without a transaction.

Plans are cached per operation node: ParserCache hands back the same parsed document for
the same query, so node identity is stable; the cache holds the operation and its fragments
(the nodes its keys name by id) and keeps at most `maxsize` operations.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    is_leaf_type,
)
from graphql.execution.collect_fields import DeferUsage, FieldDetails, GroupedFieldSet
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.field import StrawberryField

from cso.graphql.fields import READS_ONCE
from cso.graphql.plans import (
    STRAWBERRY_FIELD,
    Entry,
    GiveUp,
    Plan,
    Read,
    leaf,
    list_of,
    non_null,
    non_null_leaf,
    object_of,
    read_of,
    same_class_of,
)
from cso.graphql.snapshot import ReadSnapshot

__all__ = ["GiveUp", "OperationPlans", "PlanCache", "PlannedExecutor", "planned_executor"]

FieldDetailsList = list[FieldDetails]
PlanKey = tuple[int, ...]


class OperationPlans:
    """The plans of one operation, by (return type, field nodes) ids; None: not compilable.

    Holds the operation and its fragment definitions so the nodes whose ids are keys live
    as long as the plans."""

    def __init__(
        self,
        operation: OperationDefinitionNode,
        fragments: dict[str, FragmentDefinitionNode],
    ) -> None:
        self.operation = operation
        self.fragments = list(fragments.values())
        self.plannable = not _has_directives(operation, self.fragments)
        self.plans: dict[PlanKey, Plan | None] = {}


class PlanCache:
    """Plans by operation node, least recently used dropped past `maxsize` operations."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._operations: OrderedDict[int, OperationPlans] = OrderedDict()

    def of(
        self, operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
    ) -> OperationPlans:
        """The operation's plans, made empty on first sight."""
        key = id(operation)
        found = self._operations.get(key)
        if found is not None and found.operation is operation:
            self._operations.move_to_end(key)
            return found
        found = OperationPlans(operation, fragments)
        self._operations[key] = found
        while len(self._operations) > self.maxsize:
            self._operations.popitem(last=False)
        return found

    def __len__(self) -> int:
        return len(self._operations)


class PlannedExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor, completing compilable subtrees by their plans.

    Made per schema by `planned_executor`, which gives the subclass its own cache."""

    plan_cache: ClassVar[PlanCache]
    _operation_plans: OperationPlans | None = None
    _middleware = False

    def execute_collected_root_fields(
        self,
        root_type: GraphQLObjectType,
        root_value: Any,
        grouped_field_set: GroupedFieldSet,
        serially: bool,
        new_defer_usages: Sequence[DeferUsage],
    ) -> Any:
        if not serially and not new_defer_usages and len(grouped_field_set) == 1:
            snapshot = getattr(self.context_value, "snapshot", None)
            [details] = grouped_field_set.values()
            if isinstance(snapshot, ReadSnapshot) and self._reads_once(root_type, details):
                snapshot.read_once()
        return super().execute_collected_root_fields(
            root_type, root_value, grouped_field_set, serially, new_defer_usages
        )

    def _reads_once(self, root_type: GraphQLObjectType, details: FieldDetailsList) -> bool:
        """Whether the root field reads once (`fields.reads_once`) and a plan completes its
        whole value, so that no other resolver runs."""
        field = self.schema.get_field(root_type, details[0].node.name.value)
        if field is None:
            return False
        definition = (field.extensions or {}).get(STRAWBERRY_FIELD)
        if not isinstance(definition, StrawberryField) or not definition.metadata.get(READS_ONCE):
            return False
        return self._plan(field.type, details) is not None

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        plan = self._plan(return_type, field_details_list)
        if plan is not None:
            try:
                return plan(result)
            except Exception:  # the standard path answers instead, errors and all
                return super().complete_value(
                    return_type, field_details_list, info, path, result, position_context
                )
        return super().complete_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _plan(self, return_type: GraphQLOutputType, field_details_list: FieldDetailsList) -> Any:
        plans = self._operation_plans
        if plans is None:
            plans = self._operation_plans = self.plan_cache.of(
                self.operation, self.fragment_definitions
            )
            # A middleware (an extension's `resolve`) wraps every resolver of this request:
            # a plan would pass it by, so none runs.
            middleware = self.middleware_manager
            self._middleware = middleware is not None and bool(middleware.middlewares)
        if self._middleware or not plans.plannable:
            return None
        key = (id(return_type), *[id(details.node) for details in field_details_list])
        try:
            return plans.plans[key]
        except KeyError:
            return self._compiled(plans, return_type, field_details_list)

    def _compiled(
        self,
        plans: OperationPlans,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
    ) -> Plan | None:
        key = (id(return_type), *[id(details.node) for details in field_details_list])
        if key in plans.plans:
            return plans.plans[key]
        plan = self._compile(plans, return_type, field_details_list)
        plans.plans[key] = plan
        return plan

    def _compile(
        self,
        plans: OperationPlans,
        return_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
    ) -> Plan | None:
        if any(details.fragment_variable_values is not None for details in field_details_list):
            return None
        if isinstance(return_type, GraphQLNonNull):
            inner = return_type.of_type
            if is_leaf_type(inner):
                return non_null_leaf(inner.coerce_output_value)
            if isinstance(inner, GraphQLObjectType) and inner.is_type_of is None:
                # The object's function refuses None itself: one call less per object.
                return self._object_plan(plans, inner, field_details_list, non_null=True)
            inner_plan = self._compiled(plans, inner, field_details_list)
            return None if inner_plan is None else non_null(inner_plan)
        if is_leaf_type(return_type):
            return None  # the standard path costs no more for a lone leaf
        if isinstance(return_type, GraphQLList):
            item = return_type.of_type
            if is_leaf_type(item):
                item_plan: Plan | None = leaf(item.coerce_output_value)
            else:
                item_plan = self._compiled(plans, item, field_details_list)
            return None if item_plan is None else list_of(item_plan)
        if isinstance(return_type, GraphQLObjectType) and return_type.is_type_of is None:
            return self._object_plan(plans, return_type, field_details_list, non_null=False)
        return None

    def _object_plan(
        self,
        plans: OperationPlans,
        object_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        *,
        non_null: bool,
    ) -> Plan | None:
        grouped, defer_usages, _ = self.collect_subfields(object_type, field_details_list)
        if defer_usages:
            return None
        entries: list[Entry] = []
        for response_name, sub_details in grouped.items():
            node = sub_details[0].node
            if node.name.value == "__typename":
                entries.append(Entry(response_name, Read("constant", object_type.name), None))
                continue
            field = self.schema.get_field(object_type, node.name.value)
            if field is None:
                continue  # graphql-core leaves out a field it does not know
            if field.args or node.arguments:
                return None
            read = read_of(field)
            if read is None:
                return None
            field_type = field.type
            sub_plan = self._leaf_or_compiled(plans, field_type, sub_details)
            if sub_plan is None:
                return None
            entries.append(Entry(response_name, read, sub_plan, same_class_of(field_type)))
        return object_of(entries, non_null)

    def _leaf_or_compiled(
        self, plans: OperationPlans, field_type: GraphQLOutputType, details: FieldDetailsList
    ) -> Plan | None:
        if is_leaf_type(field_type):
            return leaf(field_type.coerce_output_value)
        return self._compiled(plans, field_type, details)


def planned_executor(maxsize: int = 512) -> type[PlannedExecutor]:
    """A PlannedExecutor class with its own plan cache of `maxsize` operations: pass it to
    the Strawberry schema as `execution_context_class` (one per schema)."""
    return type("PlannedExecutor", (PlannedExecutor,), {"plan_cache": PlanCache(maxsize)})


def _has_directives(
    operation: OperationDefinitionNode, fragments: Iterable[FragmentDefinitionNode]
) -> bool:
    """Whether any directive appears in the operation or its fragments (@skip, @include,
    @defer, …): plans do not evaluate them, so such a document is not planned."""
    if operation.directives:
        return True
    return any(
        fragment.directives or _selections_have_directives(fragment.selection_set)
        for fragment in fragments
    ) or _selections_have_directives(operation.selection_set)


def _selections_have_directives(selection_set: SelectionSetNode | None) -> bool:
    if selection_set is None:
        return False
    for selection in selection_set.selections:
        if selection.directives:
            return True
        if isinstance(selection, FieldNode | InlineFragmentNode) and (
            _selections_have_directives(selection.selection_set)
        ):
            return True
        if isinstance(selection, FragmentSpreadNode):
            continue  # its definition is checked on its own
    return False
