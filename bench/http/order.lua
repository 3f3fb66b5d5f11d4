-- POST /order: one line of one unit, from one of 200 bench users (durable: answered
-- after fdatasync). HOT=1 in the environment: 90 % of the orders are for bench-p0 (the
-- hot-spot variant of bench/compare.sh; the rest spread over all 10 products); HOT=all:
-- every order is for bench-p0 (one product's lock, the worst case). With
-- TOKENS set, each order carries its user's JWT. The 2,000 requests (user x product)
-- are formatted once per thread.
dofile("bench/http/tokens.lua")
math.randomseed(os.time())
local hot = os.getenv("HOT")
local requests = {}
init = function()
  for user = 0, 199 do
    requests[user] = {}
    for product = 0, 9 do
      local body = string.format(
        '{"userId":"bench%d","items":[{"productId":"bench-p%d","quantity":1}]}', user, product)
      requests[user][product] = wrk.format("POST", "/order",
                                           auth_headers(user, { ["Content-Type"] = "application/json" }),
                                           body)
    end
  end
end
request = function()
  local product = math.random(0, 9)
  if hot == "all" or (hot == "1" and math.random(1, 100) <= 90) then product = 0 end
  return requests[math.random(0, 199)][product]
end
