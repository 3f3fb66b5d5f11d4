-- The shared data set: users u0..u199 with 10^9 each, products p0..p9 with
-- price 100 + (i*37) % 900 and stock 10^12. Hashes: user:<id>, product:<id>.
for i = 0, 199 do
  redis.call('HSET', 'user:u' .. i, 'balance', 1000000000)
end
for i = 0, 9 do
  redis.call('HSET', 'product:p' .. i, 'price', 100 + (i * 37) % 900, 'stock', 1000000000000)
end
return 'OK'
