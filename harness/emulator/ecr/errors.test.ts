import assert from 'node:assert/strict';
import { EcrLink } from './ecr-link.js';
import { EcrLinkStartedError } from './errors.js';
import { createMemoryChannelPair } from './memory-channel.js';

describe('emulator/ecr/errors: typed errors of the link', () => {
  it('starting a link twice is an EcrLinkStartedError E_ECR_LINK_STARTED (usage)', async () => {
    const [wireA, wireB] = createMemoryChannelPair();
    const a = new EcrLink(wireA);
    const b = new EcrLink(wireB);
    try {
      a.start(() => undefined);
      assert.throws(
        () => a.start(() => undefined),
        (e: unknown) =>
          e instanceof EcrLinkStartedError &&
          e.code === 'E_ECR_LINK_STARTED' &&
          e.verdict === 'usage' &&
          e.message === 'EcrLink already started',
      );
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
