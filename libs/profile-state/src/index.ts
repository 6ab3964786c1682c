export * from './profile-state.ts';
export * from './identities.ts';
export * from './memberships.ts';
export * from './evolve-profile.ts';
