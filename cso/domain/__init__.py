"""The CSO domain: aggregates, values and rules, with no I/O.

Dates a rule needs ("today") are passed in by the caller; nothing here reads a
clock or a database.
"""
