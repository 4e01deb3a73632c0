-- Batch publish: POST /v1/topics/{topic}/events/batch with HOOKLINE_BATCH (default 100) copies of the payload.
--   HOOKLINE_KEY=<key> HOOKLINE_BATCH=100 wrk -t2 -c16 -d30s --latency -s bench/wrk/batch.lua http://127.0.0.1:<port>
-- See common.lua for the other environment variables.
package.path = (debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "?.lua;" .. package.path
local common = require("common")

local size = tonumber(os.getenv("HOOKLINE_BATCH") or "100")
local payload = common.payload()
local items = {}
for i = 1, size do
   items[i] = '{"payload":' .. payload .. '}'
end
common.setup("/batch", '{"events":[' .. table.concat(items, ",") .. ']}')

done = function(summary, latency, requests)
   common.done(summary, latency, size)
end
