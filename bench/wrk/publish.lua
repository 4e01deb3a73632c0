-- Single-event publish over keep-alive connections: POST /v1/topics/{topic}/events with a 1 KiB payload.
--   HOOKLINE_KEY=<key> wrk -t2 -c128 -d30s --latency -s bench/wrk/publish.lua http://127.0.0.1:<port>
-- See common.lua for the environment variables.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")

common.setup("", common.payload())

done = function(summary, latency, requests)
   common.done(summary, latency, 1)
end
