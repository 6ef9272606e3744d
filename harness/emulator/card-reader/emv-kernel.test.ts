import { strict as assert } from 'node:assert';
import { createVirtualCard, exchangeWithGetResponse } from '../../cards/index.js';
import { flattenTlv, parseTlv, TVR } from '../../emv/index.js';
import { EmvKernel } from './emv-kernel.js';
import { KernelStop, type KernelHost } from './kernel-contract.js';
import { loadTerminalProfile } from '../terminal-profile.js';

function host(pins: string[], defects: string[] = []): KernelHost & { shown: string[] } {
  const shown: string[] = [];
  return {
    profile: loadTerminalProfile('cup-pos-ci', { defects }),
    defects: loadTerminalProfile('cup-pos-ci', { defects }).defects,
    requestPin: async () => pins.shift(),
    show: (k) => void shown.push(k),
    shown,
  };
}

async function kernelFor(name: string, h: KernelHost, contactless = false, amount = 1234) {
  const card = createVirtualCard(name);
  await card.powerOn(contactless ? 'contactless' : 'contact');
  const send = (c: Buffer) => exchangeWithGetResponse((x) => card.transmit(x), c);
  return { card, kernel: new EmvKernel(h, send, { amount, type: '00', offlineAllowed: true }, contactless) };
}

describe('EMV kernel against virtual cards', () => {
  it('contact, online PIN card: PSE selection, ARQC with the CDOL1 TVR in field 55', async () => {
    const h = host(['123456']);
    const { kernel } = await kernelFor('cup-debit', h);
    const o = await kernel.runContact();
    assert.equal(o.decision, 'ARQC');
    assert.equal(o.aid, 'A000000333010101');
    assert.equal(o.onlinePin, '123456');
    assert.equal(o.expiry, '3012');
    assert.equal(o.psn, '001');
    const tags = flattenTlv(parseTlv(Buffer.from(o.iccData, 'hex')));
    for (const t of ['9F26', '9F27', '9F10', '9F37', '9F36', '95', '9A', '9C', '9F02', '5F2A', '82', '9F1A'])
      assert.ok(tags.has(t), t);
    assert.ok(!tags.has('9F66'), 'no TTQ in a contact field 55');
    const tvr = tags.get('95') as Buffer;
    assert.ok(TVR.has(tvr, 'offlineDataAuthNotPerformed'));
    assert.ok(TVR.has(tvr, 'floorLimitExceeded'));
    assert.ok(TVR.has(tvr, 'onlinePinEntered'));
    assert.equal(tags.get('9F02')?.toString('hex'), '000000001234');
  });

  it('contact, offline PIN card: wrong PIN → tries left shown, then VERIFY succeeds', async () => {
    const h = host(['0000', '1234']);
    const { kernel, card } = await kernelFor('cup-credit', h);
    const o = await kernel.runContact();
    assert.equal(o.onlinePin, undefined);
    assert.deepEqual(h.shown, ['wrongPinRetry']);
    assert.equal(card.snapshot().pinTriesLeft, 3);
    assert.equal(
      flattenTlv(parseTlv(Buffer.from(o.iccData, 'hex')))
        .get('9F34')
        ?.toString('hex'),
      '410302',
    );
  });

  it('unsupported AID → KernelStop cardNotSupported', async () => {
    const { kernel } = await kernelFor('foreign-aid', host([]));
    await assert.rejects(
      kernel.runContact(),
      (e: unknown) => e instanceof KernelStop && e.key === 'cardNotSupported',
    );
  });

  it('expired card → AAC with cardExpired; with accepts-expired-card it is not flagged', async () => {
    const { kernel } = await kernelFor('expired', host(['123456']));
    const o = await kernel.runContact();
    assert.equal(o.decision, 'AAC');
    assert.equal(o.declineKey, 'cardExpired');
    const k2 = await kernelFor('expired', host(['123456'], ['accepts-expired-card']));
    const o2 = await k2.kernel.runContact();
    assert.equal(o2.decision, 'ARQC');
    assert.ok(!TVR.has(Buffer.from(o2.tvr, 'hex'), 'expiredApplication'));
  });

  it('qPBOC: EC purse under the offline limit → TC and the new EC balance', async () => {
    const { kernel } = await kernelFor('ec-debit', host([]), true, 5000);
    const o = await kernel.runContactless();
    assert.equal(o.decision, 'TC');
    assert.equal(o.ecBalance, 45000);
    const { kernel: k2 } = await kernelFor('ec-debit', host([]), true, 20000);
    const o2 = await k2.runContactless();
    assert.equal(o2.decision, 'ARQC');
    // qPBOC field 55 carries the TTQ (9F66) with "online cryptogram required" (byte 2, bit 8) set
    const ttq = flattenTlv(parseTlv(Buffer.from(o2.iccData, 'hex'))).get('9F66');
    assert.ok(ttq, '9F66 in field 55');
    assert.equal(ttq[1]! & 0x80, 0x80);
  });
});
