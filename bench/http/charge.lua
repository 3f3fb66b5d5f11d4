-- POST /balance/charge of 1 to one of 200 bench users (durable).
math.randomseed(os.time())
local headers = { ["Content-Type"] = "application/json" }
request = function()
  return wrk.format("POST", "/balance/charge", headers,
                    string.format('{"userId":"bench%d","amount":1}', math.random(0, 199)))
end
