-- Provider rate limits shared by every Billflow thread and process on this database
-- (src/limits/rate-limit.ts SharedRateLimiter): one token bucket per key, e.g.
-- 'delivery:sms:twilio' or 'payments:stripe'. Limiters lease a tenth of a second's worth of
-- tokens per UPDATE; the database's clock refills the bucket.
create table rate_limit_buckets (
  key         text primary key,
  tokens      double precision not null,
  refilled_at timestamptz not null
);
