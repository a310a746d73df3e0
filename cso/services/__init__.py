"""Use cases: load an aggregate, call it, append its events; authorisation lives here."""
