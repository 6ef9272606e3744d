import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCardData, loadHostConfig, resolveAccount, resolveAccounts } from './config-loader.js';

describe('host/config-loader', () => {
  it('loads the bundled default host and resolves every account against its card fixture', () => {
    const config = loadHostConfig();
    assert.ok(
      config.terminals.some((t) => t.terminalId === '12345678' && t.merchantId === '123456789012345'),
    );
    const accounts = resolveAccounts(config);
    assert.equal(accounts.length, config.accounts.length);
    const debit = accounts.find((a) => a.card === 'cup-debit');
    const card = loadCardData('cup-debit');
    assert.equal(debit?.pan, card.pan);
    assert.equal(debit?.pin, card.pin);
    assert.match(debit?.imkAc ?? '', /^[0-9A-F]{32}$/);
    assert.equal(accounts.find((a) => a.card === 'pin-blocked')?.pinTriesLeft, 0);
  });
  it('lets the host config override card data', () => {
    const a = resolveAccount({ card: 'x', balance: 5, pin: '9999', status: 'frozen' }, () => ({
      pan: '6222000000000000001',
      pin: '1234',
      pinTryLimit: 5,
    }));
    assert.deepEqual(
      [a.pan, a.pin, a.pinTryLimit, a.pinTriesLeft, a.status, a.currency],
      ['6222000000000000001', '9999', 5, 5, 'frozen', '156'],
    );
  });
  it('reports a bad host file with its location', () => {
    const dir = mkdtempSync(join(tmpdir(), 'payhil-hostcfg-'));
    try {
      const f = join(dir, 'bad.yaml');
      writeFileSync(f, 'terminals: []\naccounts:\n  - pan: "123"\n    balance: 1\n');
      assert.throws(
        () => loadHostConfig(f),
        (e: Error) => /bad\.yaml:3:/.test(e.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('refuses a PAN listed twice', () => {
    assert.throws(
      () =>
        resolveAccounts({
          terminals: [],
          accounts: [
            { pan: '6222000000000000001', balance: 1 },
            { pan: '6222000000000000001', balance: 2 },
          ],
        }),
      { code: 'E_HOST_CONFIG' },
    );
  });
});
