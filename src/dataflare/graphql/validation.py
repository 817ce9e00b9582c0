"""Validation rules: graphql-core's own, with one name allowed as an alias."""

from __future__ import annotations

import re

from graphql import ASTValidationRule, GraphQLError, specified_rules
from graphql.validation import VariablesInAllowedPositionRule

# Newer DataHub clients declare `$input: IncidentStatusInput!` for updateIncidentStatus, whose
# argument the seed names UpdateIncidentStatusInput. Both have the same fields.
_ALIASES = {("IncidentStatusInput", "UpdateIncidentStatusInput")}
_POSITION_ERROR = re.compile(
    r"of type ['\"](\w+)!?['\"] used in position expecting type ['\"](\w+)!?['\"]"
)


class VariablesInAllowedPositionWithAliases(VariablesInAllowedPositionRule):
    def report_error(self, error: GraphQLError) -> None:
        match = _POSITION_ERROR.search(error.message)
        if match and (match.group(1), match.group(2)) in _ALIASES:
            return
        super().report_error(error)


RULES: tuple[type[ASTValidationRule], ...] = tuple(
    VariablesInAllowedPositionWithAliases if rule is VariablesInAllowedPositionRule else rule
    for rule in specified_rules
)
