-- GET /balance of one of 200 bench users (with its JWT when TOKENS is set). Each
-- user's request is formatted once per thread, so that wrk spends its share of the
-- machine's cores on sending, not on building strings.
dofile("bench/http/tokens.lua")
math.randomseed(os.time())
local requests = {}
init = function()
  for user = 0, 199 do
    requests[user] = wrk.format("GET", string.format("/balance?userId=bench%d", user),
                                auth_headers(user))
  end
end
request = function()
  return requests[math.random(0, 199)]
end
