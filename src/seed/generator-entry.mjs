// Seed generator thread bootstrap: threads do not inherit the main thread's tsx hooks, so
// register them here before loading the TypeScript body (same pattern as billing/thread-entry).
import { register } from 'tsx/esm/api';

register();
await import('./generator-thread.ts');
