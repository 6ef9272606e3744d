import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'mocha';
import { packagePath } from '../common/project-root.js';
import { createBenchFromLab } from './lab-bench.js';

describe('lab files: card multiplexer and robot keypad', () => {
  const dir = mkdtempSync(join(tmpdir(), 'payhil-lab-mux-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const lab = (card: string, keypad = ''): string => {
    const f = join(dir, `lab-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(
      f,
      `name: m\nterminal: { driver: ecr-tcp, address: 127.0.0.1:4000 }\ncard: ${card}\n${keypad}host: { mode: simulator }\n`,
    );
    return f;
  };

  it('builds the bundled mux bench: multiplexer presenter, robot keypad, facts', () => {
    const b = createBenchFromLab(packagePath('fixtures', 'labs', 'mux.yaml'));
    assert.equal(b.name, 'mux');
    assert.match(
      b.facts['card.presenter'] ?? '',
      /^multiplexer \(serial \/tmp\/payhil-mux-A, 3 slots checked before the first scenario\)$/,
    );
    assert.equal(b.facts.keypad, 'robot http://127.0.0.1:47320');
  });

  it('refuses a multiplexer without a link, with both links, without slots, or two cards in one slot', () => {
    assert.throws(
      () => createBenchFromLab(lab('{ presenter: multiplexer, slots: { cup-debit: 1 } }')),
      /the multiplexer needs card\.path \(its serial port\) or card\.address/,
    );
    assert.throws(
      () =>
        createBenchFromLab(
          lab('{ presenter: multiplexer, path: /dev/x, address: 127.0.0.1:9, slots: { cup-debit: 1 } }'),
        ),
      /one of them/,
    );
    assert.throws(
      () => createBenchFromLab(lab('{ presenter: multiplexer, address: 127.0.0.1:9 }')),
      /needs card\.slots/,
    );
    assert.throws(
      () =>
        createBenchFromLab(
          lab(
            '{ presenter: multiplexer, address: 127.0.0.1:9, slots: { cup-debit: 1, ec-debit: { slot: 1 } } }',
          ),
        ),
      /card\.slots puts 'cup-debit' and 'ec-debit' in slot 1/,
    );
    assert.throws(
      () =>
        createBenchFromLab(lab('{ presenter: multiplexer, address: 127.0.0.1:9, slots: { cup-debit: 0 } }')),
      /slots/,
    );
  });

  it('a robot keypad needs its URL (the schema checks its form)', () => {
    assert.throws(
      () => createBenchFromLab(lab('{ presenter: in-process }', 'keypad: { source: robot }\n')),
      /keypad\.source robot needs keypad\.url/,
    );
    assert.throws(
      () => createBenchFromLab(lab('{ presenter: in-process }', 'keypad: { source: robot, url: ftp://x }\n')),
      /keypad/,
    );
    const b = createBenchFromLab(
      lab('{ presenter: in-process }', 'keypad: { source: robot, url: http://127.0.0.1:9 }\n'),
    );
    assert.equal(b.facts.keypad, 'robot http://127.0.0.1:9');
  });
});
