-- One line: balances, payments, orders, items, units sold (initial stock minus stock
-- now), units sold of p0 (the hot spot).
SELECT (SELECT sum(balance) FROM users),
       (SELECT coalesce(sum(amount), 0) FROM balance_history WHERE kind = 'PAYMENT'),
       (SELECT count(*) FROM orders),
       (SELECT count(*) FROM order_items),
       (SELECT 10 * 1000000000000 - sum(stock) FROM products),
       (SELECT 1000000000000 - stock FROM products WHERE id = 'p0');
