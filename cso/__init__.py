"""CSO platform: an event-sourced GraphQL service for district enterprise officers."""
