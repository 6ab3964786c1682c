import { describe, expect, it } from 'vitest';
import { createLogger } from '@spillway/runtime';
import { followConfiguration, type ConfigMessage } from '../configuration/configuration-follower.ts';
import { configStreamOf, configured, destination } from '../testing/fixtures.ts';
import { configurationKey, createConfigSequencer } from './config-sequencer.ts';

const quiet = createLogger({ service: 'test', level: 'error', write: () => {} });

function setup() {
  const follower = followConfiguration(quiet, () => {});
  const sequencer = createConfigSequencer(follower);
  let revision = 0n;
  const configEvent = (destinationId: string): ConfigMessage => {
    const event = configured.destination(destination(destinationId));
    return { event, streamId: configStreamOf(event), eventId: `e-${destinationId}`, revision: revision++, recordedAt: new Date(0) };
  };
  const profileEvent = (profileId: string) => ({ streamId: `profile-${profileId}`, event: { type: 'ProfileChanged' } });
  return { follower, sequencer, configEvent, profileEvent };
}

describe('configuration as of a change’s place in the log, under keyed concurrency', () => {
  it('keys profile changes by their stream and every configuration event by one shared key', () => {
    const { sequencer, configEvent, profileEvent } = setup();
    expect(sequencer.keyAtDispatch(profileEvent('p1'))).toBe('profile-p1');
    expect(sequencer.keyAtDispatch(configEvent('d1'))).toBe(configurationKey);
  });

  it('a change dispatched after a configuration event not yet applied waits for it', async () => {
    const { sequencer, configEvent, profileEvent } = setup();
    const config = configEvent('d1');
    const change = profileEvent('p1');
    sequencer.keyAtDispatch(config);
    sequencer.keyAtDispatch(change);
    const answer = sequencer.configAt(change);
    let answered = false;
    void answer.then(() => (answered = true));
    await Promise.resolve();
    expect(answered).toBe(false);
    sequencer.applyConfig(config);
    expect([...(await answer)!.destinations.keys()]).toEqual(['d1']);
  });

  it('a change dispatched before a configuration event is decided against the configuration before it, even if it runs after', async () => {
    const { sequencer, configEvent, profileEvent } = setup();
    const first = configEvent('d1');
    sequencer.keyAtDispatch(first);
    sequencer.applyConfig(first);
    const change = profileEvent('p1');
    sequencer.keyAtDispatch(change);
    const second = configEvent('d2');
    sequencer.keyAtDispatch(second);
    sequencer.applyConfig(second);
    expect([...(await sequencer.configAt(change))!.destinations.keys()]).toEqual(['d1']);
    const later = profileEvent('p2');
    sequencer.keyAtDispatch(later);
    expect([...(await sequencer.configAt(later))!.destinations.keys()]).toEqual(['d1', 'd2']);
  });

  it('release (stopping) answers the waiting changes with nothing, so they are left undecided', async () => {
    const { sequencer, configEvent, profileEvent } = setup();
    sequencer.keyAtDispatch(configEvent('d1'));
    const change = profileEvent('p1');
    sequencer.keyAtDispatch(change);
    const answer = sequencer.configAt(change);
    sequencer.release();
    expect(await answer).toBeUndefined();
  });

  it('without keyed concurrency (no dispatch keys) a change gets the current configuration', async () => {
    const { sequencer, configEvent, profileEvent } = setup();
    sequencer.applyConfig(configEvent('d1'));
    expect([...(await sequencer.configAt(profileEvent('p1')))!.destinations.keys()]).toEqual(['d1']);
  });
});
