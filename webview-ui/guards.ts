/** The shared type guards (src/shared/jsonGuards.ts), under the name the panel's modules import. */
export * from '../src/shared/jsonGuards';
