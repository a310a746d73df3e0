"""The GraphQL API (API.md): schema, resolvers, auth and error mapping."""
