-- POST /order: one line, from one of 200 bench users (durable: answered after fdatasync).
math.randomseed(os.time())
local headers = { ["Content-Type"] = "application/json" }
request = function()
  local body = string.format('{"userId":"bench%d","items":[{"productId":"bench-p%d","quantity":1}]}',
                             math.random(0, 199), math.random(0, 9))
  return wrk.format("POST", "/order", headers, body)
end
