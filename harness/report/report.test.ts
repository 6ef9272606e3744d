import assert from 'node:assert/strict';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  mkdirSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'mocha';
import type { Writer } from 'allure-js-commons/sdk/reporter';
import { Timeline, type ScenarioRun, type StepRecord } from '../runner/index.js';
import type { Scenario } from '../scenario/index.js';
import { AllureWriter, featureOf, screenshotName, stepAt } from './allure-writer.js';
import { carryHistory, checkJava } from './allure-report.js';
import { ConsoleReporter } from './console-reporter.js';
import { junitXml, xmlEscape } from './junit-writer.js';
import { createMockBench } from '../testing/index.js';
import { apduTraceText, timelineText } from './attachments.js';
import { encodeTlv } from '../emv/index.js';
import { maskReportText } from '../net/index.js';

const at = { file: 'scenarios/purchase/a.yaml', line: 3, col: 1 };

function scenario(id: string, extra: Partial<Scenario> = {}): Scenario {
  return {
    id,
    baseId: id.replace(/\[.*$/, ''),
    title: `title of ${id}`,
    tags: ['smoke', 'chip'],
    severity: 'critical',
    requires: [],
    bench: {},
    cards: {},
    host: { rules: [], accounts: {} },
    vars: {},
    params: {},
    retries: 0,
    steps: [
      { action: 'signIn', args: null, at },
      { action: 'purchase', args: { amount: 1 }, at },
    ],
    finally: [],
    at,
    file: at.file,
    captures: [],
    ...extra,
  };
}

function run(s: Scenario, status: ScenarioRun['status'], message?: string): ScenarioRun {
  const t = new Timeline(1000);
  t.add('host', { direction: 'request', conn: 1, mti: '0200', fields: { 2: '622202*********0017' } }, 1010);
  t.add('raw-frame', { direction: 'request', mti: '0200', raw: '0030600003000060' }, 1010);
  t.add('apdu', { via: 'contact', command: '00A404000E', response: '9000' }, 1005);
  t.add('receipt', { copy: 'merchant', text: 'CARD 6222020000000017\nAPPROVED' }, 1020);
  return {
    scenario: s,
    status,
    ...(message ? { message, category: status === 'failed' ? 'product' : 'lab', errorCode: 'E_X' } : {}),
    start: 1000,
    stop: 1250,
    steps: [
      {
        name: 'signIn',
        action: 'signIn',
        at: 'a.yaml:3',
        status: 'passed',
        start: 1000,
        stop: 1100,
        children: [],
      },
    ],
    timeline: t,
    captures: {},
    attempt: 1,
  } as ScenarioRun;
}

/** A writer that drops everything (toResult still names the attachments). */
function nullWriter(): Writer {
  return {
    writeResult: () => undefined,
    writeAttachment: () => undefined,
    writeAttachmentFromPath: () => undefined,
    writeGroup: () => undefined,
    writeEnvironmentInfo: () => undefined,
    writeCategoriesDefinitions: () => undefined,
    writeGlobals: () => undefined,
  } as unknown as Writer;
}

describe('reports', () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('Allure: a result per scenario with labels, masked parameters, steps and attachments; environment and categories', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'payhil-allure-'));
    dirs.push(dir);
    const w = new AllureWriter({ resultsDir: dir });
    const m = createMockBench();
    w.runStart({ bench: m.bench, scenarios: [], start: 0 });
    const s = scenario('purchase/a[pan=6222020000000017]', { params: { pan: '6222020000000017' } });
    w.scenarioEnd(run(s, 'failed', 'expected host {"39":"00"}\n  response.39: expected = 00, got 51'));
    const files = readdirSync(dir);
    const resultFile = files.find((f) => f.endsWith('-result.json')) as string;
    const r = JSON.parse(readFileSync(join(dir, resultFile), 'utf8'));
    assert.equal(r.status, 'failed');
    assert.equal(r.fullName, s.id);
    const label = (n: string): string[] =>
      r.labels.filter((l: { name: string }) => l.name === n).map((l: { value: string }) => l.value);
    assert.deepEqual(label('epic'), ['purchase']);
    assert.deepEqual(label('feature'), ['purchase']);
    assert.deepEqual(label('severity'), ['critical']);
    assert.deepEqual(label('tag'), ['smoke', 'chip']);
    assert.deepEqual(r.parameters[0], { name: 'pan', value: '622202******0017' });
    assert.equal(r.steps[0].name, 'signIn');
    assert.deepEqual(
      r.attachments.map((a: { name: string }) => a.name),
      ['timeline', 'ISO 8583 frames (masked)', 'APDU trace', 'receipt'],
    );
    const receipt = readFileSync(join(dir, r.attachments[3].source), 'utf8');
    assert.ok(!receipt.includes('6222020000000017'), 'the receipt PAN is masked');
    assert.match(receipt, /622202\*+0017/);
    assert.match(readFileSync(join(dir, 'environment.properties'), 'utf8'), /bench = mock|bench=mock/);
    const cats = JSON.parse(readFileSync(join(dir, 'categories.json'), 'utf8'));
    assert.deepEqual(
      cats.map((c: { name: string }) => c.name),
      ['Timeouts', 'Lab faults', 'Product defects'],
    );
  });

  it('Allure: screenshots as image/png, ECR frames as masked text, the pcap as application/vnd.tcpdump.pcap', () => {
    const dir = mkdtempSync(join(tmpdir(), 'payhil-allure-bin-'));
    dirs.push(dir);
    const w = new AllureWriter({ resultsDir: dir });
    w.runStart({ bench: createMockBench().bench, scenarios: [], start: 0 });
    const r0 = run(scenario('purchase/c'), 'passed');
    // 8-byte PNG signature (RFC 2083 §3.1) and the libpcap magic, as the drivers and proxy produce them.
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const pcap = Buffer.from('d4c3b2a1020004000000000000000000ffff000001000000', 'hex');
    r0.timeline.add(
      'screenshot',
      { attachment: { name: 'display-1.png', contentType: 'image/png', body: png } },
      1030,
    );
    r0.timeline.add(
      'ecr-frame',
      { text: 'ECR out EVENT seq 3 40 B card 6222020000000017', source: 'ecr-trace' },
      1031,
    );
    r0.timeline.add(
      'pcap',
      {
        packets: 1,
        attachment: {
          name: 'host traffic (masked).pcap',
          contentType: 'application/vnd.tcpdump.pcap',
          body: pcap,
        },
      },
      1240,
    );
    w.scenarioEnd(r0);
    const r = JSON.parse(
      readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('-result.json')) as string), 'utf8'),
    ) as { attachments: { name: string; source: string; type: string }[] };
    const by = (name: string): { source: string; type: string } => {
      const a = r.attachments.find((x) => x.name === name);
      assert.ok(a, `attachment ${name} in ${JSON.stringify(r.attachments)}`);
      return a;
    };
    // The screenshot hangs on the step that was running (signIn, 1000–1100), named after it.
    const rs = r as unknown as {
      steps: { name: string; attachments: { name: string; source: string; type: string }[] }[];
    };
    assert.ok(!r.attachments.some((a) => a.type === 'image/png'), 'no screenshot on the result itself');
    const shot = rs.steps[0]?.attachments.find((a) => a.name === 'signIn — display 1.png');
    assert.ok(shot, JSON.stringify(rs.steps));
    assert.equal(shot.type, 'image/png');
    assert.ok(shot.source.endsWith('.png'));
    assert.deepEqual(readFileSync(join(dir, shot.source)), png);
    assert.equal(by('host traffic (masked).pcap').type, 'application/vnd.tcpdump.pcap');
    assert.ok(by('host traffic (masked).pcap').source.endsWith('.pcap'));
    assert.deepEqual(readFileSync(join(dir, by('host traffic (masked).pcap').source)), pcap);
    assert.equal(by('ECR frames').type, 'text/plain');
    const ecr = readFileSync(join(dir, by('ECR frames').source), 'utf8');
    assert.ok(!ecr.includes('6222020000000017'), 'the ECR frame PAN is masked');
    assert.match(ecr, /card 622202\*+0017/);
    // The timeline names the binaries by size, never dumps their bytes.
    const timeline = readFileSync(join(dir, by('timeline').source), 'utf8');
    assert.match(timeline, /SCREENSHOT display-1\.png \(11 B\)/);
    assert.match(timeline, /PCAP +host traffic \(masked\)\.pcap \(24 B\)/);
  });

  it('masks by field: the PAN masked, merchant id (42) and MAC (64) as sent in every report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'payhil-allure-mask-'));
    dirs.push(dir);
    const mid = '123456789012345';
    const mac = '3844454339334433';
    const pan = '6222021000000000017';
    const message = [
      'expected host {"response":{"39":"00"}}',
      `closest exchange #1 (connection 1):`,
      `  request:  0200 2=${pan} 42=${mid} 64=${mac}`,
      `  response: 0210 39=51 42=${mid}`,
      'difference:',
      '  response.39: expected = 00, got 51',
      `  request.42: expected = 999999999999999, got ${mid}`,
    ].join('\n');
    const r0 = run(scenario('purchase/m'), 'failed', message);
    r0.timeline.add(
      'host',
      { direction: 'request', conn: 2, mti: '0200', fields: { 2: pan, 42: mid, 64: mac } },
      1100,
    );
    const w = new AllureWriter({ resultsDir: dir });
    w.runStart({ bench: createMockBench().bench, scenarios: [], start: 0 });
    w.scenarioEnd(r0);
    const r = JSON.parse(
      readFileSync(join(dir, readdirSync(dir).find((f) => f.endsWith('-result.json')) as string), 'utf8'),
    ) as { statusDetails: { message: string }; attachments: { name: string; source: string }[] };
    const timeline = readFileSync(
      join(dir, (r.attachments.find((a) => a.name === 'timeline') as { source: string }).source),
      'utf8',
    );
    const lines: string[] = [];
    new ConsoleReporter({ write: (l) => lines.push(l) }).runEnd({
      runs: [r0],
      counts: { passed: 0, failed: 1, broken: 0, skipped: 0 },
      start: 0,
      stop: 1,
    });
    const junit = junitXml([r0]);
    for (const [where, text] of [
      ['Allure message', r.statusDetails.message],
      ['timeline', timeline],
      ['JUnit', junit],
      ['console', lines.join('\n')],
    ] as const) {
      assert.ok(!text.includes(pan), `${where}: no clear PAN`);
      assert.match(text, /2=622202\*{9}0017/, `${where}: PAN masked`);
      assert.match(text, new RegExp(`42=${mid}`), `${where}: merchant id as sent`);
      assert.ok(!text.includes('123456*****2345'), `${where}: merchant id not masked as a PAN`);
      assert.match(text, new RegExp(`64=${mac}`), `${where}: MAC as sent`);
    }
    assert.match(r.statusDetails.message, new RegExp(`request\\.42: expected = 999999999999999, got ${mid}`));
  });

  it('APDU trace and timeline: the AID of a SELECT in clear, PAN, track 2, name and ID of a record masked', () => {
    const aid = 'A000000333010101';
    const pan = '6222021234567890123';
    const hex = (s: string): string => Buffer.from(s, 'ascii').toString('hex').toUpperCase();
    const name = hex('ZHANG/SAN');
    const id = hex('110101199001011234');
    const track2 = `${pan}D3012201F`;
    // A READ RECORD answer as a transport would hand it on unmasked (a driver that forgot to mask).
    const record = `703D5A0A${pan}F570E${track2}5F2009${name}9F6112${id}`;
    assert.equal(record.length, 2 * (2 + 0x3d));
    const r0 = run(scenario('purchase/apdu'), 'passed');
    r0.timeline.add(
      'apdu',
      { via: 'contact', command: `00A4040008${aid}00`, response: `6F0A8408${aid}9000` },
      1006,
    );
    r0.timeline.add('apdu', { via: 'contact', command: '00B2010C00', response: `${record}9000` }, 1007);
    r0.timeline.add(
      'apdu',
      { via: 'contact', command: '0020008008241234FFFFFFFFFF', response: '9000' },
      1008,
    );
    for (const [where, text] of [
      ['APDU trace', apduTraceText(r0)],
      ['timeline', timelineText(r0)],
    ] as const) {
      assert.ok(text.includes(`00A4040008${aid}00`), `${where}: the SELECT's AID in clear\n${text}`);
      assert.ok(text.includes(`6F0A8408${aid}9000`), `${where}: the FCI's DF name in clear\n${text}`);
      assert.ok(text.includes(`5A0A622202*********0123F`), `${where}: PAN 6/4\n${text}`);
      for (const secret of [pan, track2, name, id, '241234FFFFFFFFFF'])
        assert.ok(!text.includes(secret), `${where}: ${secret} in clear\n${text}`);
    }
  });

  it('timeline: a host message masked field by field (PAN 6/4, track, PIN block and tag 5A hidden; merchant id and MAC as sent), as maskReportText would', () => {
    const pan = '6222021234567890123';
    const fields = {
      '2': pan,
      '35': `${pan}D3012201F`,
      '42': '123456789012345',
      '48': `NOTE ${pan} END`,
      '52': '8A1B2C3D4E5F6071',
      '55': `5A0A${pan}F9F2608AABBCCDDEEFF0011`,
      '64': '3146323237424246',
      '11': '000123',
    };
    const r = run(scenario('purchase/host-line'), 'passed');
    r.timeline.add(
      'host',
      { direction: 'request', mti: '0200', conn: 1, fields, fault: `dup of ${pan}` },
      1005,
    );
    const line =
      timelineText(r)
        .split('\n')
        .find((l) => l.includes('[fault:')) ?? '';
    assert.match(line, /2=622202\*{9}0123 /);
    assert.match(line, /35=<track data redacted, \d+ hex>/);
    assert.match(line, /52=<PIN block redacted, 16 hex>/);
    assert.match(line, /55=5A0A622202\*{9}0123F9F26/);
    assert.match(line, / 42=123456789012345 .* 64=3146323237424246/);
    assert.match(line, /48=NOTE 622202\*{9}0123 END/);
    assert.ok(!line.includes(pan), line);
    // The same text the line-wide masking gives the unmasked line (what the timeline did before).
    const plain = `HOST     → 0200 conn 1 ${Object.keys(fields)
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => `${k}=${fields[k as keyof typeof fields]}`)
      .join(' ')} [fault: dup of ${pan}]`;
    assert.equal(line.replace(/^ *\+\d+\.\d{3}s /, ''), maskReportText(plain));
  });

  it('APDU trace: commands named, answers decoded by tag: AID and application label in clear as text, sensitive tags masked', () => {
    const aid = 'A000000333010101';
    const label = Buffer.from('UnionPay Debit', 'ascii').toString('hex').toUpperCase();
    const pan = '6222021234567890123';
    const name = Buffer.from('ZHANG/SAN', 'ascii').toString('hex').toUpperCase();
    const h = (x: string): Buffer => Buffer.from(x, 'hex');
    const select = encodeTlv([
      {
        tag: '6F',
        children: [
          { tag: '84', value: h(aid) },
          {
            tag: 'A5',
            children: [
              { tag: '50', value: h(label) },
              { tag: '87', value: h('01') },
            ],
          },
        ],
      },
    ])
      .toString('hex')
      .toUpperCase();
    const record = encodeTlv([
      {
        tag: '70',
        children: [
          { tag: '5A', value: h(`${pan}F`) },
          { tag: '5F20', value: h(name) },
        ],
      },
    ])
      .toString('hex')
      .toUpperCase();
    const r0 = run(scenario('purchase/apdu-words'), 'passed');
    r0.timeline.add(
      'apdu',
      { via: 'contact', command: '00A404000E315041592E5359532E444446303100', response: '6A82' },
      1004,
    );
    r0.timeline.add(
      'apdu',
      { via: 'contact', command: `00A4040008${aid}00`, response: `${select}9000` },
      1006,
    );
    r0.timeline.add('apdu', { via: 'contact', command: '00B2010C00', response: `${record}9000` }, 1007);
    const text = apduTraceText(r0);
    assert.match(
      text,
      /contact {2}SELECT\n {2}C: 00A404000E315041592E5359532E444446303100\n {5}file name "1PAY\.SYS\.DDF01"\n {2}R: 6A82/,
    );
    assert.match(text, new RegExp(`contact {2}SELECT\\n {2}C: 00A4040008${aid}00\\n {5}AID ${aid}\\n`));
    assert.match(
      text,
      new RegExp(
        `\\n {5}6F {2}File Control Information \\(FCI\\) Template\\n {7}84 {2}Dedicated File \\(DF\\) Name: ${aid}\\n`,
      ),
    );
    assert.match(text, new RegExp(`\\n {9}50 {2}Application Label: ${label} "UnionPay Debit"\\n`));
    assert.match(text, /contact {2}READ RECORD\n/);
    assert.match(text, /\n {7}5A {2}Application Primary Account Number \(PAN\): 622202\*{9}0123\n/);
    assert.match(text, /\n {7}5F20 {2}Cardholder Name: <cardholder data redacted/);
    for (const secret of [pan, name, 'ZHANG/SAN'])
      assert.ok(!text.includes(secret), `${secret} in clear\n${text}`);
  });

  it('Allure: the durable writer (allure-js-commons FileSystemWriter) writes the same result', () => {
    const dir = mkdtempSync(join(tmpdir(), 'payhil-allure-d-'));
    dirs.push(dir);
    const w = new AllureWriter({ resultsDir: dir, durable: true });
    w.runStart({ bench: createMockBench().bench, scenarios: [], start: 0 });
    w.scenarioEnd(run(scenario('purchase/b'), 'broken', 'host 127.0.0.1:9 is unreachable'));
    const resultFile = readdirSync(dir).find((f) => f.endsWith('-result.json')) as string;
    const r = JSON.parse(readFileSync(join(dir, resultFile), 'utf8'));
    assert.equal(r.status, 'broken');
    assert.equal(r.statusDetails.message, 'host 127.0.0.1:9 is unreachable');
    assert.ok(readdirSync(dir).includes('categories.json'));
  });

  it('feature is the first transaction of the scenario, through repeats', () => {
    assert.equal(featureOf(scenario('x', { steps: [{ action: 'signIn', args: null, at }] })), 'signIn');
    assert.equal(
      featureOf(
        scenario('x', {
          steps: [{ action: 'repeat', args: {}, at, steps: [{ action: 'withdraw', args: {}, at }] }],
        }),
      ),
      'withdraw',
    );
  });

  it('JUnit: failed → failure, broken → error, skipped → skipped; XML escaped', () => {
    const xml = junitXml([
      run(scenario('purchase/a'), 'passed'),
      run(scenario('purchase/b'), 'failed', 'got <51> & more'),
      run(scenario('network/c'), 'broken', 'host unreachable'),
      run(scenario('network/d'), 'skipped', 'needs robot'),
    ]);
    assert.match(xml, /<testsuites name="payhil" tests="4" failures="1" errors="1" skipped="1"/);
    assert.match(xml, /<failure message="got &lt;51&gt; &amp; more" type="E_X">/);
    assert.match(xml, /<error message="host unreachable"/);
    assert.match(xml, /<skipped message="needs robot"\/>/);
    assert.equal((xml.match(/<testsuite /g) ?? []).length, 2);
    assert.equal(xmlEscape('a\u0001"b'), 'a&quot;b');
  });

  it('Allure steps: the title in words, file:line shown only on the step that failed', () => {
    const r = run(scenario('purchase/t'), 'failed', 'response.39: expected = 00, got 51');
    r.steps.push({
      name: 'expect host request 0200 with 55.9F26 present, response 39 = 00, within 30 s',
      action: 'expect',
      at: 'scenarios/purchase/a.yaml:9',
      status: 'failed',
      start: 1100,
      stop: 1200,
      children: [],
    });
    const res = new AllureWriter({ writer: nullWriter() }).toResult(r);
    const [signIn, expectStep] = res.steps;
    assert.equal(
      expectStep?.name,
      'expect host request 0200 with 55.9F26 present, response 39 = 00, within 30 s',
    );
    assert.deepEqual(expectStep?.parameters, [{ name: 'at', value: 'scenarios/purchase/a.yaml:9' }]);
    assert.deepEqual(signIn?.parameters, [{ name: 'at', value: 'a.yaml:3', mode: 'hidden' }]);
  });

  it('screenshots: each on the innermost step running when it was taken, named after that step', () => {
    const step = (name: string, start: number, stop: number, children: StepRecord[] = []): StepRecord => ({
      name,
      action: name.split(' ')[0] as string,
      at: 'a.yaml:1',
      status: 'passed',
      start,
      stop,
      children,
    });
    const expectStep = step('expect display matches /PIN/', 1300, 1400);
    const steps = [
      step('signIn', 1000, 1100),
      step('include ../common/chip-purchase.steps.yaml', 1100, 1500, [
        step('insert card card', 1100, 1200),
        expectStep,
      ]),
    ];
    assert.equal(stepAt(steps, 999), undefined);
    assert.equal(stepAt(steps, 1050)?.name, 'signIn');
    assert.equal(stepAt(steps, 1250)?.name, 'insert card card', 'between steps: the one just run');
    assert.equal(stepAt(steps, 1350), expectStep);
    assert.equal(screenshotName(expectStep, 'display-7.png'), 'expect display matches /PIN/ — display 7.png');
    assert.equal(screenshotName(undefined, 'display-2.png'), 'display 2.png');
    assert.ok(screenshotName(step('x'.repeat(300), 0, 0), 'display-1.png').length < 100);
  });

  it('console: a line per scenario and a summary table', () => {
    const lines: string[] = [];
    const c = new ConsoleReporter({ write: (l) => lines.push(l) });
    const runs = [
      run(scenario('purchase/a'), 'passed'),
      run(scenario('purchase/b'), 'failed', 'response.39: expected = 00, got 51'),
    ];
    for (const r of runs) c.scenarioEnd(r);
    c.runEnd({ runs, counts: { passed: 1, failed: 1, broken: 0, skipped: 0 }, start: 0, stop: 1500 });
    assert.match(lines[0] as string, /^PASS +250 ms {2}purchase\/a$/);
    assert.match(lines[1] as string, /^FAIL /);
    assert.ok(lines.some((l) => /^purchase +1 +1 +0 +0$/.test(l)));
    assert.ok(lines.some((l) => /response\.39: expected = 00, got 51/.test(l)));
  });

  it("console: the reason beside every SKIP and BROKEN line; a failure at its failing step's file:line", () => {
    const lines: string[] = [];
    const c = new ConsoleReporter({ write: (l) => lines.push(l) });
    const failed = run(scenario('purchase/b'), 'failed', 'response.39: expected = 00, got 51');
    // The failing expect came through an include: the chain of include sites, then the step.
    failed.steps.push({
      name: 'include ../common/chip-purchase.steps.yaml',
      action: 'include',
      at: 'scenarios/purchase/a.yaml:12',
      status: 'failed',
      start: 1100,
      stop: 1200,
      children: [
        {
          name: 'expect host response 39 = 00, within 5 s',
          action: 'expect',
          at: 'scenarios/purchase/a.yaml:12 → scenarios/common/chip-purchase.steps.yaml:9',
          status: 'failed',
          start: 1100,
          stop: 1200,
          children: [],
        },
      ],
    });
    const broken = run(scenario('network/c'), 'broken', 'host unreachable: ECONNREFUSED 127.0.0.1:1\nmore');
    const skipped = run(scenario('network/d'), 'skipped', 'the bench lacks robot');
    const runs = [failed, broken, skipped];
    for (const r of runs) c.scenarioEnd(r);
    c.runEnd({ runs, counts: { passed: 0, failed: 1, broken: 1, skipped: 1 }, start: 0, stop: 1500 });
    assert.match(lines[0] as string, /^FAIL +250 ms {2}purchase\/b$/);
    assert.match(
      lines[1] as string,
      /^BROKEN +250 ms {2}network\/c — host unreachable: ECONNREFUSED 127\.0\.0\.1:1$/,
    );
    assert.match(lines[2] as string, /^SKIP +250 ms {2}network\/d — the bench lacks robot$/);
    assert.ok(
      lines.includes(
        'FAILED purchase/b (scenarios/purchase/a.yaml:12 → scenarios/common/chip-purchase.steps.yaml:9)',
      ),
      lines.join('\n'),
    );
    // No failing step known (the bench broke before the first): the scenario's own line.
    assert.ok(lines.includes('BROKEN network/c (scenarios/purchase/a.yaml:3)'), lines.join('\n'));
  });

  it('says clearly when Java is missing', () => {
    const saved = process.env.JAVA_HOME;
    process.env.JAVA_HOME = join(tmpdir(), 'payhil-no-java-here');
    try {
      assert.throws(
        checkJava,
        (e: unknown) =>
          (e as { code?: string }).code === 'E_REPORT_NO_JAVA' && /needs Java/.test((e as Error).message),
      );
    } finally {
      if (saved === undefined) delete process.env.JAVA_HOME;
      else process.env.JAVA_HOME = saved;
    }
  });

  it('keeps Allure history: the last report history is copied into the results', () => {
    const dir = mkdtempSync(join(tmpdir(), 'payhil-hist-'));
    dirs.push(dir);
    const results = join(dir, 'results');
    const report = join(dir, 'report');
    mkdirSync(join(report, 'history'), { recursive: true });
    writeFileSync(join(report, 'history', 'history-trend.json'), '[]');
    mkdirSync(results);
    assert.equal(carryHistory(results, report), true);
    assert.ok(existsSync(join(results, 'history', 'history-trend.json')));
    assert.equal(carryHistory(results, join(dir, 'none')), false);
  });
});
