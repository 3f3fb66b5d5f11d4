-- Flash issuance, one request = one script (Redis runs a script alone: that is its lock).
-- KEYS[1]: the campaign's remaining counter, KEYS[2]: the set of users holding one,
-- ARGV[1]: the user. Answers 1 issued, 2 already issued, 3 sold out, the checks in
-- SPEC's order (already issued before sold out). SISMEMBER + DECR + SADD; the GET
-- before DECR keeps the counter from going below 0, so a sold-out or repeated request
-- writes nothing (nothing goes to the AOF for it).
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 1 then return 2 end
local left = tonumber(redis.call('GET', KEYS[1]) or '0')
if left <= 0 then return 3 end
redis.call('DECR', KEYS[1])
redis.call('SADD', KEYS[2], ARGV[1])
return 1
