export * from './http-receiver.ts';
