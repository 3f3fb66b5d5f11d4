-- Data set and order transaction shared by all peers (see ../postgres.sh).
-- Only primary keys: the engine keeps no other index on these records either.
-- No foreign keys: the transaction itself locks the user and product it touches.
CREATE TABLE users (
  id      text PRIMARY KEY,
  balance bigint NOT NULL
);
CREATE TABLE products (
  id    text PRIMARY KEY,
  price bigint NOT NULL,
  stock bigint NOT NULL
);
CREATE TABLE orders (
  id         bigserial PRIMARY KEY,
  user_id    text NOT NULL,
  total      bigint NOT NULL,
  status     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE order_items (
  order_id   bigint NOT NULL,
  product_id text NOT NULL,
  qty        int NOT NULL,
  price      bigint NOT NULL,
  PRIMARY KEY (order_id, product_id)
);
CREATE TABLE balance_history (
  id             bigserial PRIMARY KEY,
  user_id        text NOT NULL,
  kind           text NOT NULL,
  amount         bigint NOT NULL,
  balance_before bigint NOT NULL,
  balance_after  bigint NOT NULL,
  order_id       bigint,
  created_at     timestamptz NOT NULL DEFAULT now()
);

INSERT INTO users SELECT 'u' || i, 1000000000 FROM generate_series(0, 199) i;
INSERT INTO products SELECT 'p' || i, 100 + (i * 37) % 900, 1000000000000 FROM generate_series(0, 9) i;
ANALYZE;

-- The whole order in one server-side call: one round trip per order, and the row
-- locks are held only for the time the server itself needs (plus the commit flush).
CREATE FUNCTION place_order(p_user text, p_product text, p_qty int) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
  v_balance bigint;
  v_price   bigint;
  v_stock   bigint;
  v_total   bigint;
  v_order   bigint;
BEGIN
  -- User first, then product: every order locks in the same order, so no deadlock.
  SELECT balance INTO STRICT v_balance FROM users WHERE id = p_user FOR UPDATE;
  SELECT price, stock INTO STRICT v_price, v_stock FROM products WHERE id = p_product FOR UPDATE;
  v_total := v_price * p_qty;
  IF v_balance < v_total THEN RAISE EXCEPTION 'INSUFFICIENT_BALANCE'; END IF;
  IF v_stock < p_qty THEN RAISE EXCEPTION 'OUT_OF_STOCK'; END IF;

  UPDATE users SET balance = v_balance - v_total WHERE id = p_user;
  UPDATE products SET stock = v_stock - p_qty WHERE id = p_product;
  INSERT INTO orders (user_id, total, status) VALUES (p_user, v_total, 'SUCCESS')
    RETURNING id INTO v_order;
  INSERT INTO order_items VALUES (v_order, p_product, p_qty, v_price);
  INSERT INTO balance_history (user_id, kind, amount, balance_before, balance_after, order_id)
    VALUES (p_user, 'PAYMENT', v_total, v_balance, v_balance - v_total, v_order);
  RETURN v_order;
END $$;
