-- One order, the whole transaction. Redis runs a script alone (nothing else runs
-- meanwhile), which is its "lock the user and the product"; with appendfsync always
-- the effects reach the AOF and are fsynced before the reply goes out.
--
-- ARGV[1], ARGV[2]: two random numbers 0..1999, one per __rand_int__ occurrence in
-- the redis-benchmark command (each occurrence gets its own value, all from the one
-- -r range, written as 12 zero-padded digits). ARGV[3]: hot (0|1). ARGV[4]: qty.
-- Keys are built here rather than passed in KEYS because redis-benchmark can only
-- produce numbers of one range; fine on a single server, not for Redis Cluster.
local r1, r2 = tonumber(ARGV[1]), tonumber(ARGV[2])
local hot, qty = ARGV[3] == '1', tonumber(ARGV[4])
local user = 'u' .. (r1 % 200)                       -- 2000 is a multiple of 200: uniform
local product = 'p' .. (math.floor(r2 / 100) % 10)   -- r2's high digits: uniform 0..9
if hot and r2 % 100 < 90 then product = 'p0' end     -- low digits: 90 % to p0, independent
local ukey, pkey = 'user:' .. user, 'product:' .. product

local balance = tonumber(redis.call('HGET', ukey, 'balance'))
local p = redis.call('HMGET', pkey, 'price', 'stock')
local price, stock = tonumber(p[1]), tonumber(p[2])
if not balance or not price then return redis.error_reply('NOT_FOUND') end
local total = price * qty
if balance < total then return redis.error_reply('INSUFFICIENT_BALANCE') end
if stock < qty then return redis.error_reply('OUT_OF_STOCK') end

local after = redis.call('HINCRBY', ukey, 'balance', -total)
redis.call('HINCRBY', pkey, 'stock', -qty)
local id = redis.call('INCR', 'seq:order')
local now = redis.call('TIME')
local created_ms = now[1] * 1000 + math.floor(now[2] / 1000)
redis.call('HSET', 'order:' .. id, 'user', user, 'total', total, 'status', 'SUCCESS',
           'created', created_ms)
redis.call('HSET', 'order:' .. id .. ':item:0', 'product', product, 'qty', qty, 'price', price)
redis.call('HSET', 'history:' .. id, 'user', user, 'type', 'PAYMENT', 'amount', total,
           'before', balance, 'after', after, 'order', id)
return id
