-- A cross-check of flash_driver.cc on ecomm (not used by flash_issue.sh's table):
-- wrk -t2 -c64 -d3s --latency -s bench/coupons/wrk_issue.lua http://127.0.0.1:PORT/
-- POST /coupons/flash/issue for a uniformly random user u0..u(USERS-1) (env USERS,
-- default 10000); counts the 200s and 409s per thread and prints them at the end.
-- The requests are formatted once per thread (as bench/http/order.lua does): a
-- wrk.format per request costs wrk more CPU than the server's answer.
local users = tonumber(os.getenv("USERS") or "10000")
local threads = {}
math.randomseed(os.time())
setup = function(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
local requests = {}
init = function()
  issued, conflicts, other = 0, 0, 0
  math.randomseed(os.time() + id * 7919)
  for u = 0, users - 1 do
    requests[u] = wrk.format("POST", "/coupons/flash/issue",
                             { ["Content-Type"] = "application/json" },
                             string.format('{"userId":"u%d"}', u))
  end
end
request = function()
  return requests[math.random(0, users - 1)]
end
response = function(status)
  if status == 200 then issued = issued + 1
  elseif status == 409 then conflicts = conflicts + 1
  else other = other + 1 end
end
done = function()
  local i, c, o = 0, 0, 0
  for _, t in ipairs(threads) do
    i, c, o = i + t:get("issued"), c + t:get("conflicts"), o + t:get("other")
  end
  io.write(string.format("issued=%d conflicts=%d other=%d\n", i, c, o))
end
