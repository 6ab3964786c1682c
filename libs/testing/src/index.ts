export * from './http-receiver.ts';
export * from './tls-pki.ts';
export * from './store.ts';
export * from './service-process.ts';
export * from './token-server.ts';
export * from './faulty-receiver.ts';
export * from './small-disk.ts';
export * from './dns-server.ts';
