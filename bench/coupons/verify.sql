-- issued rows | distinct users | remaining | total | the unique constraint present (t/f)
SELECT (SELECT count(*) FROM user_coupon WHERE coupon_id = 'flash'),
       (SELECT count(DISTINCT user_id) FROM user_coupon WHERE coupon_id = 'flash'),
       (SELECT remaining FROM campaign WHERE coupon_id = 'flash'),
       (SELECT total FROM campaign WHERE coupon_id = 'flash'),
       EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'user_coupon'::regclass
               AND contype = 'u');
