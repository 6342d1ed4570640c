-- Rate limit counters are written on every counted request. Unlogged, a write waits for no WAL
-- flush (about 5x faster on a busy disk); the price is that a database crash or a failover to a
-- standby empties the counters, which only restarts the current windows.
ALTER TABLE "rate_limit_hits" SET UNLOGGED;
