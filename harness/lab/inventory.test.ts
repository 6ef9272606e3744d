import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'mocha';
import { packagePath } from '../common/project-root.js';
import { LabError } from './errors.js';
import { loadInventory, matchesTags } from './inventory.js';
import { poolsOf } from './distributed-run.js';
import { parseRedisAddress } from './redis-address.js';

describe('lab: inventory, tags, pools, queue address', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tmp = (): string => {
    const d = mkdtempSync(join(tmpdir(), 'payhil-inv-'));
    dirs.push(d);
    return d;
  };

  it('reads the bundled inventory: three spawned-emulator benches in one pool, capabilities from their lab file', () => {
    const benches = loadInventory(packagePath('fixtures', 'inventories', 'local.yaml'));
    assert.deepEqual(
      benches.map((b) => `${b.name}:${b.pool}:${b.tags.protocol}`),
      ['tcp-1:ecr-emulator:ecr-tcp', 'tcp-2:ecr-emulator:ecr-tcp', 'serial-1:ecr-emulator:ecr-serial'],
    );
    assert.ok(benches[0]?.capabilities.includes('ecr'));
    assert.deepEqual(benches[2]?.spec, {
      kind: 'lab',
      file: packagePath('fixtures', 'labs', 'emulator-process.yaml'),
      bench: 'ecr-serial',
    });
  });

  it('a bench named twice, in one file or across a folder, is refused with both places', () => {
    const d = tmp();
    writeFileSync(join(d, 'one.yaml'), 'lab: x\nbenches:\n  - name: a\n  - name: a\n');
    assert.throws(
      () => loadInventory(join(d, 'one.yaml')),
      (e: LabError) => {
        assert.equal(e.code, 'E_LAB_DUPLICATE_BENCH');
        assert.match(
          e.message,
          /one\.yaml: benches\[1\]: bench 'a' is already defined at .*one\.yaml: benches\[0\]/,
        );
        return true;
      },
    );
    const f = join(d, 'folder');
    mkdirSync(f);
    writeFileSync(join(f, 'a.yaml'), 'lab: x\nbenches:\n  - name: emb\n');
    writeFileSync(join(f, 'b.yaml'), 'lab: y\nbenches:\n  - name: emb\n');
    assert.throws(
      () => loadInventory(f),
      /b\.yaml: benches\[0\]: bench 'emb' is already defined at .*a\.yaml/,
    );
    writeFileSync(join(f, 'b.yaml'), 'lab: y\nbenches:\n  - name: emb-2\n    tags: { location: desk-2 }\n');
    const both = loadInventory(f);
    assert.equal(both.length, 2);
    assert.notEqual(both[0]?.pool, both[1]?.pool, 'different tags: different default pools');
  });

  it('an inventory that does not follow its schema, or names a missing lab file, is a located error', () => {
    const d = tmp();
    writeFileSync(join(d, 'bad.yaml'), 'lab: x\nbenches:\n  - name: a\n    colour: red\n');
    assert.throws(() => loadInventory(join(d, 'bad.yaml')), /colour/);
    writeFileSync(join(d, 'missing.yaml'), 'lab: x\nbenches:\n  - name: a\n    labFile: nope.yaml\n');
    assert.throws(() => loadInventory(join(d, 'missing.yaml')), /lab file nope\.yaml not found/);
    assert.throws(() => loadInventory(join(d, 'none.yaml')), /not found/);
  });

  it('tags: key=value or a bare value; an unknown tag is refused listing the known ones', () => {
    const tags = { protocol: 'ecr-tcp', location: 'desk-1' };
    assert.ok(matchesTags(tags, ['protocol=ecr-tcp', 'desk-1']));
    assert.ok(!matchesTags(tags, ['protocol=nexo']));
    const reg = (name: string, pool: string, caps: string[], t: Record<string, string>) => ({
      name,
      pool,
      capabilities: caps,
      tags: t,
      devices: [],
      agent: 'a',
      registeredAt: 0,
    });
    const regs = [
      reg('a', 'p1', ['chip', 'ecr'], tags),
      reg('b', 'p1', ['chip'], { protocol: 'ecr-tcp' }),
      reg('c', 'p2', ['web'], { protocol: 'web' }),
    ];
    const pools = poolsOf(regs, []);
    assert.deepEqual(
      pools.map((p) => [p.name, [...p.capabilities], p.benches.length]),
      [
        ['p1', ['chip'], 2],
        ['p2', ['web'], 1],
      ],
    );
    assert.deepEqual(
      poolsOf(regs, ['protocol=web']).map((p) => p.name),
      ['p2'],
    );
    assert.throws(
      () => poolsOf(regs, ['firmware=2.1']),
      /--bench-tag firmware=2\.1: no bench has it \(tags: location=desk-1, protocol=ecr-tcp, protocol=web\)/,
    );
  });

  it('queue address: redis:// only, password kept out of the display', () => {
    const a = parseRedisAddress('redis://ci:s3cret@127.0.0.1:6400/2');
    assert.deepEqual(
      { ...a },
      {
        host: '127.0.0.1',
        port: 6400,
        db: 2,
        username: 'ci',
        password: 's3cret',
        display: 'redis://ci@127.0.0.1:6400/2',
      },
    );
    assert.equal(parseRedisAddress('redis://localhost').port, 6379);
    for (const bad of ['http://x:1', 'localhost:6379', 'redis://h:1/99', 'redis://'])
      assert.throws(() => parseRedisAddress(bad), LabError, bad);
  });
});
