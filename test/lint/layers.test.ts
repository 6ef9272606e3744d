/**
 * The layer rule of `npm run lint` (eslint.config.js, eslint-plugin-boundaries): source text linted as if
 * it were a file of a layer, through the ESLint Node API, so an upward import is shown to fail.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('lint: layers', function () {
  let eslint: ESLint;
  before(() => {
    eslint = new ESLint({ cwd: root });
  });

  async function layerErrors(filePath: string, code: string): Promise<string[]> {
    const [r] = await eslint.lintText(code, { filePath });
    return (r?.messages ?? []).filter((m) => m.ruleId === 'boundaries/dependencies').map((m) => m.message);
  }

  it('fails an upward import: emv importing iso8583, common importing the CLI', async () => {
    assert.deepEqual(
      await layerErrors('harness/emv/upward.ts', "export { decodeFrame } from '../iso8583/index.js';\n"),
      ['There is no policy allowing dependencies from elements of type "emv" to elements of type "iso8583"'],
    );
    assert.equal(
      (await layerErrors('harness/common/upward.ts', "export { main } from '../cli/main.js';\n")).length,
      1,
    );
  });

  it('fails an import between siblings of one rank (host and net) and from the emulator to the host', async () => {
    assert.equal(
      (await layerErrors('harness/host/x.ts', "export { HttpNetworkControl } from '../net/index.js';\n"))
        .length,
      1,
    );
    assert.deepEqual(
      await layerErrors('harness/emulator/x.ts', "export { HostJournal } from '../host/index.js';\n"),
      ['the emulator never imports the host: what both need lives in pos-protocol/'],
    );
    // A file in a sub-folder belongs to its layer's folder (emulator/ecr is the emulator, drivers/emulated the drivers).
    const nested = [
      ['harness/emulator/ecr/x.ts', "export { HostJournal } from '../../host/index.js';\n"],
      ['harness/drivers/emulated/x.ts', "export { main } from '../../cli/main.js';\n"],
    ];
    for (const [file, code] of nested)
      assert.equal((await layerErrors(file as string, code as string)).length, 1, file);
  });

  it('passes a downward import, the public door and a test wiring layers together', async () => {
    assert.deepEqual(
      await layerErrors('harness/iso8583/x.ts', "export { parseTlv } from '../emv/index.js';\n"),
      [],
    );
    assert.deepEqual(
      await layerErrors('harness/report/x.ts', "export { Timeline } from '../runner/index.js';\n"),
      [],
    );
    assert.deepEqual(await layerErrors('harness/index.ts', "export { main } from './cli/main.js';\n"), []);
    assert.deepEqual(
      await layerErrors('harness/common/x.test.ts', "export { main } from '../cli/main.js';\n"),
      [],
    );
  });
});
