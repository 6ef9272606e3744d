import { strict as assert } from 'node:assert';
import { deriveCommonSessionKey, deriveIccMasterKeyOptionA, generateArqc } from '../../emv/index.js';
import { createVirtualCard, type EmvVirtualCard } from '../../cards/index.js';
import { generateAc, readEmvCard, type ApduTransport } from './emv-card-reader.js';
import { exchangeWithGetResponse } from '../../cards/apdu.js';

/** An in-process card as a transport, with T=0 GET RESPONSE handled like the PC/SC driver does. */
function transport(card: EmvVirtualCard, log?: string[]): ApduTransport {
  return (apdu) =>
    exchangeWithGetResponse(async (a) => {
      log?.push(a.toString('hex').toUpperCase());
      return card.transmit(a);
    }, apdu);
}

async function read(name: string, contactless = false) {
  const card = createVirtualCard(name);
  const atr = await card.powerOn(contactless ? 'contactless' : 'contact');
  return { card, session: await readEmvCard(transport(card), { atr, contactless }) };
}

describe('drivers/pcsc/emv-card-reader', () => {
  it('reads the identity of a usable card: masked PAN, AID, expiry, PIN tries, ATC, EC balance', async () => {
    const { session } = await read('ec-debit');
    const id = session.identity;
    assert.equal(id.maskedPan, '621700*********0035');
    assert.deepEqual(
      id.applications.map((a) => a.aid),
      ['A000000333010101'],
    );
    assert.equal(id.expiry, '3106');
    assert.equal(id.pinTriesLeft, 3);
    assert.equal(id.atc, 41);
    assert.equal(id.ecBalance, 50000);
    assert.equal(id.serviceCode, '220');
    assert.equal(id.usable, true);
    assert.ok(!JSON.stringify(id).includes('6217003000000000035'), 'no PAN in clear');
  });

  it('says why a card is unusable: expired, PIN blocked, blocked, foreign AID found by the AID list', async () => {
    assert.deepEqual((await read('expired')).session.identity.problems, ['expired (expiry 2012)']);
    assert.deepEqual((await read('pin-blocked')).session.identity.problems, [
      'PIN blocked (PIN try counter 0)',
    ]);
    const blocked = createVirtualCard('cup-debit');
    blocked.injectFault({ kind: 'card-blocked' });
    await blocked.powerOn('contact');
    const r = await readEmvCard(transport(blocked));
    assert.equal(r.identity.usable, false);
    assert.match(r.identity.problems.join(), /6A81/);
    const app = createVirtualCard('cup-debit');
    app.injectFault({ kind: 'app-blocked' });
    await app.powerOn('contact');
    assert.match((await readEmvCard(transport(app))).identity.problems.join(), /6283/);
    const foreign = (await read('foreign-aid')).session.identity;
    assert.equal(foreign.selectedAid, 'A0000000031010');
    assert.equal(foreign.usable, true);
  });

  it('reads a phone wallet over the contactless interface without spending (offline-only TTQ)', async () => {
    const { card, session } = await read('phone-wallet', true);
    assert.equal(session.identity.maskedPan, '623058*********0073');
    assert.equal(session.identity.interface, 'contactless');
    assert.equal(session.data.get('9F27')?.[0], 0x00, 'AAC: nothing approved');
    assert.equal(card.snapshot().ecBalance, 100000);
  });

  it('a full contact read with an ARQC that the issuer keys verify', async () => {
    const { card, session } = await read('cup-debit');
    const cdol1 = session.data.get('8C') as Buffer;
    const ac = await generateAc(transport(card), 'ARQC', cdol1, session.terminal);
    assert.equal(ac.type, 'ARQC');
    const mk = deriveIccMasterKeyOptionA(
      Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex'),
      '6222021000000000017',
      '01',
    );
    const input = Buffer.concat([
      ac.cdolData.subarray(0, 29),
      session.data.get('82') as Buffer,
      ac.atc,
      ac.iad,
    ]);
    assert.deepEqual(ac.cryptogram, generateArqc(deriveCommonSessionKey(mk, ac.atc), input, 18));
  });

  it('follows 61xx with GET RESPONSE and 6Cxx with the exact Le', async () => {
    const sent: string[] = [];
    const answers: Record<string, string> = {
      '00B2010C00': '6C05',
      '00B2010C05': '0102030405' + '9000',
      '80A8000002830000': '6103',
      '00C0000003': 'AABBCC' + '6102',
      '00C0000002': 'DDEE' + '9000',
    };
    const raw = async (a: Buffer): Promise<Buffer> => {
      const k = a.toString('hex').toUpperCase();
      sent.push(k);
      return Buffer.from(answers[k] ?? '6F00', 'hex');
    };
    assert.equal(
      (await exchangeWithGetResponse(raw, Buffer.from('00B2010C00', 'hex'))).toString('hex'),
      '01020304059000',
    );
    assert.equal(
      (await exchangeWithGetResponse(raw, Buffer.from('80A8000002830000', 'hex'))).toString('hex'),
      'aabbccddee9000',
    );
    assert.deepEqual(sent, ['00B2010C00', '00B2010C05', '80A8000002830000', '00C0000003', '00C0000002']);
  });
});
