import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { TYPES_FILE, generateScenarioTypes } from './gen-types.js';

describe('scenario/gen-types', () => {
  it('the committed scenario-types.ts is what the schema generates (run gen-types after a schema change)', async function () {
    this.timeout(30000);
    const expected = await generateScenarioTypes();
    const committed = readFileSync(TYPES_FILE, 'utf8');
    assert.ok(
      committed === expected,
      'harness/scenario/scenario-types.ts is stale: run `node dist/harness/scenario/gen-types.js` after building',
    );
  });
});
