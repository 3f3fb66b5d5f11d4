-- POST /balance/charge of 1 to one of 200 bench users (durable). HOT=all in the
-- environment: every charge is for bench0 (one account's lock, the worst case).
math.randomseed(os.time())
local headers = { ["Content-Type"] = "application/json" }
local users = os.getenv("HOT") == "all" and 0 or 199
request = function()
  return wrk.format("POST", "/balance/charge", headers,
                    string.format('{"userId":"bench%d","amount":1}', math.random(0, users)))
end
