export * from './http-receiver.ts';
export * from './tls-fixtures.ts';
export * from './store.ts';
export * from './service-process.ts';
