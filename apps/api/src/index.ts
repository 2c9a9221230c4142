export { createApiApp } from './create-api-app';
export type { Runtime } from './common/runtime';
