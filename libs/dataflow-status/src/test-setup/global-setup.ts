export { storeGlobalSetup as default } from '@spillway/testing';
