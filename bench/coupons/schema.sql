-- Flash issuance on PostgreSQL 15: the campaign row is the lock (taken by the UPDATE,
-- held to the durable commit), unique (coupon_id, user_id) is the one-per-user rule.
CREATE TABLE campaign (
  coupon_id text PRIMARY KEY,
  total     int  NOT NULL,
  remaining int  NOT NULL CHECK (remaining >= 0)
);
CREATE TABLE user_coupon (
  coupon_id text NOT NULL REFERENCES campaign,
  user_id   text NOT NULL,
  issued_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (coupon_id, user_id)
);
INSERT INTO campaign VALUES ('flash', :total, :total);  -- psql -v total=N

-- One request, one call (one round trip, as Redis' script and ecomm's POST). Checks in
-- SPEC's order: already issued, then sold out. A repeat or a sold-out request only
-- reads (the conditional UPDATE matches no row and locks nothing), so it writes no WAL
-- and waits for no flush. Two concurrent requests of one user: both pass the first
-- check, the second's INSERT then fails on the unique constraint (23505) and its whole
-- transaction, the decrement included, rolls back; the client counts it as "already".
CREATE FUNCTION issue_coupon(c text, u text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM user_coupon WHERE coupon_id = c AND user_id = u) THEN
    RETURN 'ALREADY';
  END IF;
  UPDATE campaign SET remaining = remaining - 1 WHERE coupon_id = c AND remaining > 0;
  IF NOT FOUND THEN
    RETURN 'SOLD_OUT';
  END IF;
  INSERT INTO user_coupon (coupon_id, user_id) VALUES (c, u);
  RETURN 'ISSUED';
END $$;
