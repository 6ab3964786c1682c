export * from './http-receiver.ts';
export * from './tls-fixtures.ts';
