"""The Mutation root's fields, a module per area; `cso.graphql.schema` merges them."""
