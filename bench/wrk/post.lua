-- POSTs the bodies of a file (one JSON document a line) in turn, with one Authorization
-- header, and counts responses that are not 200 or carry GraphQL errors (CONFLICT apart).
-- Usage: wrk -s post.lua URL -- BODIES_FILE [AUTHORIZATION]
-- At the end it prints one line, "BENCH_JSON {...}", that bench/wrk.py reads.
local bodies = {}
local threads = {}
local next_body = 1
-- Globals, not locals: done() reads them from each thread with thread:get.
bad, conflicts, graphql_errors = 0, 0, 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1]) do
    if #line > 0 then table.insert(bodies, line) end
  end
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  if args[2] and #args[2] > 0 then wrk.headers["Authorization"] = args[2] end
  -- Threads start at different bodies so that they do not write the same project at once.
  next_body = (id * 7919) % #bodies + 1
end

function request()
  local body = bodies[next_body]
  next_body = next_body % #bodies + 1
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
  elseif string.find(body, '"CONFLICT"', 1, true) then
    conflicts = conflicts + 1
  elseif string.find(body, '"errors"', 1, true) then
    graphql_errors = graphql_errors + 1
  end
end

function done(summary, latency, requests)
  local totals = {bad = 0, conflicts = 0, graphql_errors = 0}
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do
      totals[key] = totals[key] + (thread:get(key) or 0)
    end
  end
  local socket = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.6f, "bad_status": %d, "conflicts": %d, ' ..
    '"graphql_errors": %d, "socket_errors": %d, "timeouts": %d, ' ..
    '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6, totals.bad, totals.conflicts,
    totals.graphql_errors, socket.connect + socket.read + socket.write, socket.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
