export * from './user-formats.ts';
