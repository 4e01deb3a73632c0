-- Shared by publish.lua and batch.lua: the gateway request and a one-line, machine-readable summary.
-- Environment: HOOKLINE_KEY (a tenant API key with the publish scope), HOOKLINE_TOPIC (default bench.events),
-- HOOKLINE_PAYLOAD (a file holding one JSON event payload, default payload-1k.json next to the scripts).
local common = {}

function common.read(path)
   local f = assert(io.open(path, "rb"), "cannot open " .. path)
   local content = f:read("*a")
   f:close()
   return content
end

function common.setup(path_suffix, body)
   local key = assert(os.getenv("HOOKLINE_KEY"), "set HOOKLINE_KEY to a tenant API key with the publish scope")
   local topic = os.getenv("HOOKLINE_TOPIC") or "bench.events"
   wrk.method = "POST"
   wrk.path = "/v1/topics/" .. topic .. "/events" .. path_suffix
   wrk.body = body
   wrk.headers["Content-Type"] = "application/json"
   wrk.headers["Authorization"] = "Bearer " .. key
end

function common.payload()
   local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
   local payload = common.read(os.getenv("HOOKLINE_PAYLOAD") or (dir .. "payload-1k.json"))
   return (payload:gsub("%s+$", ""))
end

-- wrk counts any status >= 400 as errors.status: every other completed request here is a 202 from the gateway.
function common.done(summary, latency, events_per_request)
   local e = summary.errors
   io.write(string.format(
      "HOOKLINE_WRK requests=%d non2xx=%d connect=%d read=%d write=%d timeout=%d duration_us=%d " ..
      "events_per_request=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.0f\n",
      summary.requests, e.status, e.connect, e.read, e.write, e.timeout, summary.duration, events_per_request,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end

return common
