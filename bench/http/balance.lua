-- GET /balance of one of 200 bench users (with its JWT when TOKENS is set).
dofile("bench/http/tokens.lua")
math.randomseed(os.time())
request = function()
  local user = math.random(0, 199)
  return wrk.format("GET", string.format("/balance?userId=bench%d", user), auth_headers(user))
end
