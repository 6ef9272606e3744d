import { strict as assert } from 'node:assert';
import { ProfileDurationError } from './errors.js';
import { loadTerminalProfileSpec, parseDuration, resolveTerminalProfile } from './terminal-profile.js';

describe('emulator/errors: typed errors of the terminal profile', () => {
  it('a bad duration is a ProfileDurationError E_TERMINAL_DURATION with the value', () => {
    for (const bad of ['10', '5 s', '2h', '-1s', '']) {
      assert.throws(
        () => parseDuration(bad, 0),
        (e: unknown) =>
          e instanceof ProfileDurationError &&
          e.code === 'E_TERMINAL_DURATION' &&
          e.verdict === 'usage' &&
          e.value === bad &&
          e.message === `bad duration '${bad}'`,
      );
    }
  });

  it('a profile built in code with a bad timeout is refused with that error', () => {
    const spec = loadTerminalProfileSpec('cup-pos');
    assert.throws(
      () => resolveTerminalProfile({ ...spec, timeouts: { ...spec.timeouts, host: '30 sec' } }),
      (e: unknown) => e instanceof ProfileDurationError && e.value === '30 sec',
    );
  });
});
