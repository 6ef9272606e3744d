/**
 * A self-contained host configuration for tests and benchmarks: every account spelled out (PAN, PIN,
 * keys) so tests do not depend on card fixtures. All keys and PINs are TEST data.
 */
import type { HostConfig } from '../host/index.js';
import { RC } from '../pos-protocol/index.js';

/** TEST terminal master key (the DOMAIN.md KCV example key). */
export const TEST_TMK = '0123456789ABCDEFFEDCBA9876543210';
/** TEST issuer master key for application cryptograms. */
export const TEST_IMK_AC = '0123456789ABCDEFFEDCBA9876543210';
export const TEST_TERMINAL = { terminalId: '12345678', merchantId: '123456789012345' } as const;
export const TEST_TERMINAL_2 = { terminalId: '87654321', merchantId: '123456789012345' } as const;
export const TEST_PIN = '123456';
/** TEST master key of the second terminal. */
export const TEST_TMK_2 = '11111111111111112222222222222222';

/** PANs of the test accounts by role. */
export const TEST_PANS = {
  debit: '6222021000000000017',
  credit: '6258002000000000022',
  cvn10: '6217003000000000035',
  frozen: '6228484000000000048',
  closed: '6214835000000000051',
  lost: '6225886000000000063',
  expired: '6230587000000000073',
  pinBlocked: '6212269000000000092',
  regional: '6222000000000000101',
  risky: '6222000000000000119',
  poor: '6222000000000000127',
} as const;

/** A fresh copy of the test configuration (tests may change it). */
export function testHostConfig(overrides: Partial<HostConfig> = {}): HostConfig {
  const base = {
    pin: TEST_PIN,
    imkAc: TEST_IMK_AC,
    psn: '01',
    expiry: '3012',
    cvn: 18 as const,
    currency: '156',
  };
  return {
    name: 'test',
    acquirerId: '48020000',
    keyScheme: '004',
    reversalUnknownOriginal: RC.ORIGINAL_NOT_FOUND,
    journalSize: 1000,
    limits: { maxFrameBytes: 4096, maxConnections: 200, idleTimeoutMs: 60000 },
    terminals: [
      { ...TEST_TERMINAL, tmk: TEST_TMK, region: 'CN-SH', batch: '000001' },
      { ...TEST_TERMINAL_2, tmk: TEST_TMK_2, region: 'CN-BJ', batch: '000001' },
    ],
    accounts: [
      { ...base, pan: TEST_PANS.debit, balance: 100000, limits: { single: 50000, daily: 80000 } },
      { ...base, pan: TEST_PANS.credit, balance: 10000000 },
      { ...base, pan: TEST_PANS.cvn10, balance: 100000, cvn: 10 },
      { ...base, pan: TEST_PANS.frozen, balance: 100000, status: 'frozen' },
      { ...base, pan: TEST_PANS.closed, balance: 100000, status: 'closed' },
      { ...base, pan: TEST_PANS.lost, balance: 100000, status: 'lost' },
      { ...base, pan: TEST_PANS.expired, balance: 100000, expiry: '2001' },
      { ...base, pan: TEST_PANS.pinBlocked, balance: 100000, pinTriesLeft: 0 },
      { ...base, pan: TEST_PANS.regional, balance: 100000, regions: ['CN-BJ'] },
      {
        ...base,
        pan: TEST_PANS.risky,
        balance: 100000,
        risk: [{ name: 'no big swipes', match: { '22': '/^02/', '4': { gt: 20000 } } }],
      },
      { ...base, pan: TEST_PANS.poor, balance: 500 },
    ],
    ...overrides,
  };
}
