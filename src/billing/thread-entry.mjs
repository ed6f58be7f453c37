// Worker-thread bootstrap: threads do not inherit the main thread's tsx hooks, so register them
// here before loading the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./thread-main.ts');
