/**
 * The host with its bundled default configuration (fixtures/hosts/default.yaml) against cryptograms
 * computed the way payhil's virtual cards compute them (harness/cards): the host verifies the card's
 * ARQC and the card accepts the host's ARPC.
 */
import { strict as assert } from 'node:assert';
import { encodeTlv, flattenTlv, parseTlv } from '../../harness/emv/index.js';
import {
  acInput,
  computeAc,
  emptyCvr,
  encodeIad,
  loadCardFixture,
  verifyArpc,
} from '../../harness/cards/index.js';
import { startHost, type HostHandle } from '../../harness/host/index.js';
import { toHex } from '../../harness/crypto/index.js';
import { TestTerminal } from '../../harness/testing/index.js';

describe('host e2e: default host and virtual-card cryptograms', () => {
  let host: HostHandle;
  let t: TestTerminal;
  before(async () => {
    host = await startHost({ dialect: 'cup' });
    t = await TestTerminal.connect({
      dialect: 'cup',
      host: '127.0.0.1',
      port: host.address.port,
      terminalId: '12345678',
      merchantId: '123456789012345',
      tmk: '0123456789ABCDEFFEDCBA9876543210',
    });
    await t.signIn();
  });
  after(async () => {
    await t.close();
    await host.close();
  });

  for (const name of ['cup-debit', 'cup-credit']) {
    it(`approves a ${name} chip purchase whose ARQC the card computed, and the card accepts the ARPC`, async () => {
      const card = loadCardFixture(name);
      const app = card.applications[0]!;
      const cvn = (app.cvn ?? 18) as 10 | 18;
      const atc = Buffer.from([0x00, 0x2a]);
      const terminal = new Map<string, Buffer>([
        ['9F02', Buffer.from('000000001234', 'hex')],
        ['9F03', Buffer.alloc(6)],
        ['9F1A', Buffer.from('0156', 'hex')],
        ['95', Buffer.alloc(5)],
        ['5F2A', Buffer.from('0156', 'hex')],
        ['9A', Buffer.from('261121', 'hex')],
        ['9C', Buffer.from('00', 'hex')],
        ['9F37', Buffer.from('11223344', 'hex')],
      ]);
      const aip = Buffer.from(app.aip ?? '7C00', 'hex');
      const iad = encodeIad(1, cvn, { ...emptyCvr(), firstAc: 'ARQC' });
      const arqc = computeAc(
        card,
        cvn,
        atc,
        acInput((tag) => terminal.get(tag), aip, atc, iad, cvn),
      );
      const f55 = encodeTlv([
        { tag: '9F26', value: arqc },
        { tag: '9F27', value: Buffer.from([0x80]) },
        ...[...terminal].map(([tag, value]) => ({ tag, value })),
        { tag: '82', value: aip },
        { tag: '9F36', value: atc },
        { tag: '9F10', value: iad },
      ]);
      const { answer } = await t.transact('purchase', {
        card: { pan: card.pan, expiry: card.expiry, psn: card.psn, iccData: toHex(f55) },
        amount: 1234,
        pin: card.pin,
      });
      assert.equal(answer.fields[39], '00');
      const a91 = flattenTlv(parseTlv(Buffer.from(answer.fields[55]!, 'hex'))).get('91')!;
      assert.equal(verifyArpc(card, cvn, atc, arqc, a91.subarray(0, 8), a91.subarray(8, 10)), true);
    });
  }
});
