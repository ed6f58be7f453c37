export { RateLimiter, SharedRateLimiter, rateBucketSql, type Limiter } from './rate-limit.ts';
