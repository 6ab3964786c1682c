import { formatIsoSeconds, ingestEvents, type IngestEvent } from '@spillway/xdm';

const firstNames = ['Ada', 'Grace', 'Alan', 'Linus', 'Margaret', 'Dennis', 'Barbara', 'Ken', 'Frances', 'John', 'Hedy', 'Tim'];
const lastNames = ['Lovelace', 'Hopper', 'Turing', 'Torvalds', 'Hamilton', 'Ritchie', 'Liskov', 'Thompson', 'Allen', 'Doe', 'Lamarr', 'Berners-Lee'];
const cities = [
  { city: 'Lisbon', countryCode: 'PT' },
  { city: 'Stockholm', countryCode: 'SE' },
  { city: 'Lyon', countryCode: 'FR' },
  { city: 'Milan', countryCode: 'IT' },
  { city: 'Seoul', countryCode: 'KR' },
];

export interface SampleProfile {
  readonly profileId: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string;
  readonly ecid: string;
  /** In the order they are appended: identity, attributes, then the realization that exports them. */
  readonly events: readonly IngestEvent[];
}

export interface SampleSources {
  readonly random: () => number;
  readonly newId: () => string;
  readonly nowMs: number;
}

/** Realistic profiles (name, email, home city, an ECID) realized in `audienceId`. Pure: randomness and time are parameters. */
export function sampleProfiles(count: number, audienceId: string, sources: SampleSources): SampleProfile[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(sources.random() * list.length)]!;
  const now = formatIsoSeconds(sources.nowMs);
  return Array.from({ length: count }, () => {
    const profileId = sources.newId();
    const firstName = pick(firstNames);
    const lastName = pick(lastNames);
    const email = `${firstName}.${lastName}${Math.floor(sources.random() * 1000)}@example.com`.toLowerCase();
    const ecid = ecidFrom(sources.random);
    const attributes = {
      person: { name: { firstName, lastName } },
      personalEmail: { address: email },
      homeAddress: pick(cities),
    };
    const events = [
      ingestEvents.identitiesLinked(profileId, { ecid: [{ id: ecid }] }),
      ingestEvents.attributesWritten(profileId, attributes, now),
      ingestEvents.membershipChanged(profileId, audienceId, 'realized', now),
    ];
    return { profileId, firstName, lastName, email, ecid, events };
  });
}

/** ECIDs are 38-digit decimal strings. */
function ecidFrom(random: () => number): string {
  let digits = String(1 + Math.floor(random() * 9));
  while (digits.length < 38) digits += String(Math.floor(random() * 10));
  return digits;
}
