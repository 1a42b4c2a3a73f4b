export { openStore } from './open-store.ts';
export type * from './types.ts';
