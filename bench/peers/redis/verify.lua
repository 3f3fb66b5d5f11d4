-- Returns {sum of balances, sum of PAYMENT amounts, orders, items, units sold, units of p0}.
-- Reads every order, item and history row (one of each per order id).
local balances, payments, items = 0, 0, 0
for i = 0, 199 do
  balances = balances + tonumber(redis.call('HGET', 'user:u' .. i, 'balance'))
end
local orders = tonumber(redis.call('GET', 'seq:order') or 0)
for id = 1, orders do
  if redis.call('HGET', 'history:' .. id, 'type') == 'PAYMENT' then
    payments = payments + tonumber(redis.call('HGET', 'history:' .. id, 'amount'))
  end
  items = items + tonumber(redis.call('HGET', 'order:' .. id .. ':item:0', 'qty') or 0)
  assert(redis.call('HGET', 'order:' .. id, 'status') == 'SUCCESS', 'order ' .. id)
end
local sold = 0
for i = 0, 9 do
  sold = sold + 1000000000000 - tonumber(redis.call('HGET', 'product:p' .. i, 'stock'))
end
local sold_p0 = 1000000000000 - tonumber(redis.call('HGET', 'product:p0', 'stock'))
return {balances, payments, orders, items, sold, sold_p0}
