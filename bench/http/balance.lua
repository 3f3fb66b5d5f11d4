-- GET /balance of one of 200 bench users.
math.randomseed(os.time())
request = function()
  return wrk.format("GET", string.format("/balance?userId=bench%d", math.random(0, 199)))
end
