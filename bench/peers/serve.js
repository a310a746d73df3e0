// PostGraphile 4 over the CSO read-model tables: the peer of the 20-project page.
// Usage: DATABASE_URL=postgres://... PORT=5050 node serve.js
// The read models declare no foreign keys (each is owned by its own projection), so the
// relations the page follows are given to PostGraphile as smart tags.
"use strict";
const http = require("http");
const { postgraphile, makeJSONPgSmartTagsPlugin } = require("postgraphile");

const relations = makeJSONPgSmartTagsPlugin({
  version: 1,
  config: {
    class: {
      rm_projects: {
        tags: {
          foreignKey: [
            "(cso_id) references rm_officers (id)|@fieldName cso",
            "(enterprise_id) references rm_enterprises (id)|@fieldName enterprise",
          ],
        },
      },
      rm_requests: {
        tags: {
          foreignKey: ["(project_id) references rm_projects (id)|@foreignFieldName requests"],
        },
      },
    },
  },
});

const middleware = postgraphile(process.env.DATABASE_URL, "public", {
  appendPlugins: [relations],
  disableDefaultMutations: true,
  disableQueryLog: true,
  enableQueryBatching: false,
  graphiql: false,
  retryOnInitFail: false,
  setofFunctionsContainNulls: false,
  ignoreRBAC: false,
  watchPg: false,
});

http.createServer(middleware).listen(Number(process.env.PORT), "127.0.0.1");
