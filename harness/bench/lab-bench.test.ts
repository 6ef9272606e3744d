import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'mocha';
import { packagePath } from '../common/project-root.js';
import { BenchConfigError } from './errors.js';
import { createBenchFromLab, resolveLabFile } from './lab-bench.js';

describe('benches from lab files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'payhil-lab-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('builds the bundled embedded lab: name, profile, capabilities, timeouts', () => {
    const file = resolveLabFile({ bench: 'embedded', cwd: dir }) as string;
    assert.equal(file, packagePath('fixtures', 'labs', 'embedded.yaml'));
    const b = createBenchFromLab(file, 'embedded');
    assert.equal(b.name, 'embedded');
    assert.equal(b.facts['terminal.profile'], 'cup-pos');
    assert.equal(b.stepTimeoutMs, 30000);
    assert.equal(b.scenarioTimeoutMs, 120000);
    assert.deepEqual(b.missing(['chip', 'network', 'robot']), ['robot']);
  });

  it('refuses a wrong bench name and a missing file (usage)', () => {
    assert.throws(
      () => createBenchFromLab(packagePath('fixtures', 'labs', 'embedded.yaml'), 'other'),
      /describes bench 'embedded', not 'other'/,
    );
    assert.throws(() => resolveLabFile({ lab: 'nope.yaml', cwd: dir }), BenchConfigError);
    assert.throws(() => resolveLabFile({ bench: 'nope', cwd: dir }), /no bench named 'nope'/);
  });

  it('a multi-bench file: each bench merges the top-level sections; the bench must be chosen', () => {
    const file = packagePath('fixtures', 'labs', 'emulator-process.yaml');
    for (const [name, driver] of [
      ['ecr-serial', 'ecr-serial'],
      ['ecr-tcp', 'ecr-tcp'],
      ['web', 'web'],
    ] as const) {
      const b = createBenchFromLab(file, name);
      assert.equal(b.name, name);
      assert.match(
        b.facts['terminal.driver'] as string,
        new RegExp(`^${driver} \\(payhil emulator as its own process`),
      );
      assert.equal(b.facts['terminal.profile'], 'cup-pos-ci'); // from the top level
      assert.equal(b.facts.dialect, 'cup');
      assert.equal(b.scenarioTimeoutMs, 120000);
      assert.ok(b.has('terminal') && b.has('keypad') && b.has('cards') && b.has('host') && b.has('network'));
      assert.deepEqual(b.missing(['emulator', 'network', driver === 'web' ? 'web' : 'ecr', 'apdu', 'atm']), [
        'atm',
      ]);
    }
    assert.throws(
      () => createBenchFromLab(file),
      /holds the benches ecr-serial, ecr-tcp, web, .*; choose one/,
    );
    assert.throws(() => createBenchFromLab(file, 'robot'), /has no bench 'robot' \(it has ecr-serial/);
  });

  it('offers apdu where it sees the card dialogue: a spawned emulator (its trace), not a real terminal', () => {
    const lab = (terminal: string): string => {
      const f = join(dir, `apdu-${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(
        f,
        `name: x\nterminal: ${terminal}\ncard: { presenter: in-process }\nhost: { mode: simulator }\n`,
      );
      return f;
    };
    for (const t of [
      '{ driver: ecr-tcp, spawn: {} }',
      '{ driver: ecr-serial, spawn: {} }',
      '{ driver: web, spawn: {} }',
    ])
      assert.deepEqual(createBenchFromLab(lab(t)).missing(['apdu']), [], t);
    for (const t of [
      '{ driver: ecr-tcp, address: 127.0.0.1:4000 }',
      '{ driver: web, url: http://127.0.0.1:1/ }',
    ])
      assert.deepEqual(createBenchFromLab(lab(t)).missing(['apdu']), ['apdu'], t);
  });

  it('the pcsc bench: cards through vpcd to the emulator reading PC/SC, swipes via the ECR link', () => {
    const b = createBenchFromLab(packagePath('fixtures', 'labs', 'emulator-process.yaml'), 'pcsc');
    assert.equal(
      b.facts['card.presenter'],
      "pcsc (virtual cards through vpcd 127.0.0.1:35963, PC/SC reader 'Virtual PCD 00 00')",
    );
    assert.equal(b.facts['terminal.reader'], 'Virtual PCD 00 00');
    assert.match(b.facts['terminal.driver'] as string, /^ecr-tcp \(payhil emulator as its own process/);
    assert.ok(b.has('cards') && b.has('terminal') && b.has('keypad'));
    assert.deepEqual(b.missing(['chip', 'contactless', 'magstripe', 'pcsc', 'ecr', 'apdu', 'atm']), ['atm']);
  });

  it('the nexo bench: nexo terminal, cards and keys through the test channel; pre-auth cannot be served', () => {
    const b = createBenchFromLab(packagePath('fixtures', 'labs', 'nexo.yaml'), 'nexo');
    assert.match(b.facts['terminal.protocol'] as string, /^nexo Retailer Sale-to-POI/);
    assert.ok(b.has('cards') && b.has('terminal') && b.has('keypad') && b.has('display'));
    assert.deepEqual(b.missing(['chip', 'contactless', 'magstripe', 'nexo', 'ecr', 'apdu', 'atm']), [
      'ecr',
      'apdu',
      'atm',
    ]);
    const step = (action: string) => ({ action, args: null, at: { file: 'f.yaml', line: 7, col: 3 } });
    const scenario = (...actions: string[]) =>
      ({ steps: actions.map(step), finally: [] }) as unknown as Parameters<typeof b.cannotServe>[0];
    assert.equal(
      b.cannotServe(scenario('signIn', 'purchase', 'void', 'refund', 'balance', 'settle')),
      undefined,
    );
    assert.match(b.cannotServe(scenario('signIn', 'preAuth')) ?? '', /step 'preAuth' \(line 7\)/);
  });

  it('the zvt bench: balance and withdrawal cannot be served over ZVT, pre-auth can', () => {
    const b = createBenchFromLab(packagePath('fixtures', 'labs', 'zvt-benches.yaml'), 'zvt');
    const step = (action: string) => ({ action, args: null, at: { file: 'f.yaml', line: 9, col: 3 } });
    const scenario = (...actions: string[]) =>
      ({ steps: actions.map(step), finally: [] }) as unknown as Parameters<typeof b.cannotServe>[0];
    assert.equal(
      b.cannotServe(scenario('signIn', 'purchase', 'preAuth', 'void', 'refund', 'settle')),
      undefined,
    );
    assert.match(b.cannotServe(scenario('signIn', 'balance')) ?? '', /step 'balance' \(line 9\).*onto ZVT/);
    assert.match(b.cannotServe(scenario('withdraw')) ?? '', /step 'withdraw'/);
  });

  it('configuration faults of driver benches are usage errors naming what is missing', () => {
    const cases: [string, RegExp][] = [
      ['terminal: { driver: ecr-serial }', /ecr-serial needs terminal\.path \(or spawn\)/],
      ['terminal: { driver: ecr-tcp }', /ecr-tcp needs terminal\.address/],
      ['terminal: { driver: web }', /web needs terminal\.url/],
      ['terminal: { driver: nexo }', /nexo needs terminal\.url, the terminal's Sale-to-POI endpoint/],
      ['terminal: { driver: sidecar }', /sidecar needs terminal\.sidecar \(a command\) or terminal\.address/],
      [
        'terminal: { driver: sidecar, sidecar: { command: bridge.exe } }',
        /card presenter 'in-process' for a sidecar terminal needs terminal\.testModeAddress/,
      ],
      [
        "terminal: { driver: nexo, url: 'http://127.0.0.1:9/nexo', caFile: no-such-ca.pem }",
        /terminal\.caFile no-such-ca\.pem: ENOENT/,
      ],
      [
        'terminal: { driver: emulated, spawn: {} }',
        /use driver ecr-serial, ecr-tcp or web with a spawn block/,
      ],
      [
        'terminal: { driver: ecr-tcp, address: 127.0.0.1:9 }\nnetwork: { proxy: false }',
        /needs the proxy \(it is the spy/,
      ],
    ];
    for (const [terminal, re] of cases) {
      const f = join(dir, 'bad.yaml');
      writeFileSync(
        f,
        `name: bad\n${terminal}\ncard: { presenter: in-process }\nhost: { mode: simulator }\n`,
      );
      assert.throws(
        () => createBenchFromLab(f),
        (e: unknown) => e instanceof BenchConfigError && e.verdict === 'usage' && re.test(e.message),
        terminal,
      );
    }
    const f = join(dir, 'robot.yaml');
    writeFileSync(
      f,
      'name: p\nterminal: { driver: ecr-tcp, address: 127.0.0.1:9 }\ncard: { presenter: robot }\nhost: { mode: simulator }\n',
    );
    assert.throws(
      () => createBenchFromLab(f),
      /card presenter 'robot' needs card\.url \(the robot's base URL\) and card\.rack/,
    );
    const pcsc: [string, RegExp][] = [
      [
        "terminal: { driver: ecr-tcp, spawn: { reader: 'pcsc:Some Reader' } }\ncard: { presenter: pcsc }",
        /the emulator reads 'Some Reader' \(terminal\.spawn\.reader\) but the pcsc presenter presents cards on 'Virtual PCD 00 00'/,
      ],
      [
        'terminal: { driver: ecr-tcp, spawn: {} }\ncard: { presenter: pcsc, vpcdPort: 40000 }',
        /card\.vpcdPort 40000 is not vpcd's default \(35963 or 35964\); name the reader in card\.reader/,
      ],
      [
        'terminal: { driver: emulated }\ncard: { presenter: pcsc }',
        /card presenter 'pcsc' is not available with the emulated driver/,
      ],
      [
        'terminal: { driver: ecr-tcp, spawn: { reader: usb } }\ncard: { presenter: pcsc }',
        /terminal\.spawn\.reader: expected vpcd or pcsc:READER NAME, found 'usb'/,
      ],
    ];
    for (const [lines, re] of pcsc) {
      const h = join(dir, 'pcsc-bad.yaml');
      writeFileSync(h, `name: p\n${lines}\nhost: { mode: simulator }\n`);
      assert.throws(
        () => createBenchFromLab(h),
        (e: unknown) => (e as { verdict?: string }).verdict === 'usage' && re.test((e as Error).message),
        lines,
      );
    }
    const g = join(dir, 'nodriver.yaml');
    writeFileSync(
      g,
      'name: g\nterminal: { profile: cup-pos }\ncard: { presenter: in-process }\nhost: { mode: simulator }\n',
    );
    assert.throws(() => createBenchFromLab(g), /needs terminal\.driver/);
  });

  it('an external host without an address is a configuration error', () => {
    const f = join(dir, 'ext.yaml');
    writeFileSync(
      f,
      'name: ext\nterminal: { driver: emulated }\ncard: { presenter: in-process }\nhost: { mode: external }\n',
    );
    assert.throws(() => createBenchFromLab(f), /needs host\.address/);
  });
});
