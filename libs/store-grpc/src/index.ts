export { startStoreServer } from './server.ts';
export type { StoreServer, StoreServerOptions } from './server.ts';
export { compatibleServerVersion } from './server-features.ts';
