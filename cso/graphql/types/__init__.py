"""The API's object types, each with its mapping from read-model rows and from aggregates."""
