import { strict as assert } from 'node:assert';
import { request } from 'node:http';
import { EcrClient } from '../emulator/ecr/index.js';
import { startHost, type HostHandle } from '../host/index.js';
import { memoryIo } from './command.js';
import { runEmulator } from './emulator-command.js';
import { UsageError } from './usage-error.js';

describe('payhil emulator (command)', function () {
  this.timeout(15000);
  let host: HostHandle;
  before(async () => {
    host = await startHost({ dialect: 'cup' });
  });
  after(async () => host.close());

  const never = new Promise<void>(() => undefined);

  it('prints help', async () => {
    const io = memoryIo();
    assert.equal(await runEmulator(['--help'], io, never), 0);
    assert.match(io.stdout.join('\n'), /usage: payhil emulator --profile NAME\|PATH --host HOST:PORT/);
    assert.match(io.stdout.join('\n'), /cup-pos-ci/);
  });

  const bad: [string[], RegExp][] = [
    [[], /--profile NAME\|PATH is required/],
    [['--profile', 'cup-pos-ci'], /--host HOST:PORT is required/],
    [['--profile', 'cup-pos-ci', '--host', 'nowhere'], /--host must be HOST:PORT/],
    [['--profile', 'cup-pos-ci', '--host', '127.0.0.1:99999'], /--host must be HOST:PORT/],
    [
      ['--profile', 'cup-pos-ci', '--host', '127.0.0.1:1', '--ecr', 'usb:x'],
      /--ecr must be serial:PATH or tcp:HOST:PORT/,
    ],
    [['--profile', 'cup-pos-ci', '--host', '127.0.0.1:1', '--web', 'x'], /--web must be HOST:PORT/],
    [
      ['--profile', 'cup-pos-ci', '--host', '127.0.0.1:1', '--reader', 'usb'],
      /--reader must be vpcd or pcsc:NAME/,
    ],
    [['--profile', 'cup-pos-ci', '--host', '127.0.0.1:1', '--defect', 'nope'], /unknown --defect 'nope'/],
    [
      ['--profile', 'cup-pos-ci', '--host', '127.0.0.1:1', '--baud', 'fast'],
      /--baud must be a positive integer/,
    ],
    [['--profile', 'no-such-profile', '--host', '127.0.0.1:1'], /no-such-profile/],
    [
      ['--profile', 'cup-pos-ci', '--host', '127.0.0.1:1', '--ecr-max-clients', '0'],
      /--ecr-max-clients must be a whole number of at least 1, got '0'/,
    ],
    [
      ['--profile', 'cup-pos-ci', '--host', '127.0.0.1:1', '--ecr-idle-timeout', '1.5'],
      /--ecr-idle-timeout must be a whole number of at least 0/,
    ],
    [
      ['--profile', 'cup-pos-ci', '--host', '127.0.0.1:1', '--web-allow-host', 'http://evil/'],
      /--web-allow-host must be a host name, got 'http:\/\/evil\/'/,
    ],
    [['--profile', 'cup-pos-ci', '--host', '127.0.0.1:1', '--bogus'], /emulator: Unknown option '--bogus'/],
    [['--profile', 'cup-pos-ci', '--host', '127.0.0.1:1', '--nexo', 'x'], /--nexo must be HOST:PORT/],
    [
      ['--profile', 'cup-pos-ci', '--host', '127.0.0.1:1', '--nexo', '127.0.0.1:0', '--nexo-cert', 'c.pem'],
      /--nexo-cert and --nexo-key go together/,
    ],
    [
      ['--profile', 'cup-pos-ci', '--host', '127.0.0.1:1', '--nexo-cert', 'c.pem', '--nexo-key', 'k.pem'],
      /--nexo-cert needs --nexo/,
    ],
    [
      [
        '--profile',
        'cup-pos-ci',
        '--host',
        '127.0.0.1:1',
        '--nexo',
        '127.0.0.1:0',
        '--nexo-cert',
        '/no/such.pem',
        '--nexo-key',
        '/no/k.pem',
      ],
      /--nexo-cert \/no\/such.pem: ENOENT/,
    ],
  ];
  for (const [args, message] of bad) {
    it(`usage error: ${args.join(' ') || '(nothing)'}`, async () => {
      await assert.rejects(runEmulator(args, memoryIo(), never), (e: unknown) => {
        assert.ok(e instanceof UsageError, String(e));
        assert.match(e.message, message);
        return true;
      });
    });
  }

  it('serves ECR on TCP and the web UI, signs in at start-up, stops when asked', async () => {
    const io = memoryIo();
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((r) => (stop = r));
    const run = runEmulator(
      [
        '--profile',
        'cup-pos-ci',
        '--host',
        `${host.address.host}:${host.address.port}`,
        '--ecr',
        'tcp:127.0.0.1:0',
        '--web',
        '127.0.0.1:0',
        '--defect',
        'no-arpc-check',
        '--sign-in',
      ],
      io,
      stopped,
    );
    const until = Date.now() + 10000;
    while (!io.stdout.some((l) => l.endsWith('ready')) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    const out = io.stdout.join('\n');
    assert.match(out, /terminal cup-pos-ci \(pos, cup\), host 127\.0\.0\.1:\d+, defects no-arpc-check/);
    assert.match(out, /sign-in approved \(00\): SIGN-IN OK/);
    const tcp = /ECR listening on tcp 127\.0\.0\.1:(\d+)/.exec(out);
    const web = /web UI on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
    assert.ok(tcp && web, out);
    const client = await EcrClient.connectTcp('127.0.0.1', Number(tcp[1]));
    try {
      const s = await client.request({ op: 'status' });
      assert.equal(s.signedIn, true);
      const state = (await (await fetch(new URL('api/state', web[1]))).json()) as {
        status: { signedIn: boolean };
      };
      assert.equal(state.status.signedIn, true);
      await client.request({ op: 'powerCycle' });
      assert.equal((await client.request({ op: 'status' })).signedIn, false);
    } finally {
      await client.close();
    }
    stop();
    assert.equal(await run, 0);
    assert.match(io.stdout.at(-1) ?? '', /payhil emulator: stopped/);
    await assert.rejects(fetch(web[1] as string), 'web UI closed');
  });

  it('wires --ecr-max-clients, --ecr-idle-timeout and --web-allow-host, and prints what happens to links', async () => {
    const io = memoryIo();
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((r) => (stop = r));
    const run = runEmulator(
      [
        ...['--profile', 'cup-pos-ci', '--host', `${host.address.host}:${host.address.port}`],
        ...['--ecr', 'tcp:127.0.0.1:0', '--ecr-max-clients', '1', '--ecr-idle-timeout', '1'],
        ...['--web', '127.0.0.1:0', '--web-allow-host', 'bench-7.lab'],
      ],
      io,
      stopped,
    );
    const waitFor = async (pattern: RegExp): Promise<string> => {
      const until = Date.now() + 10000;
      while (!pattern.test(io.stdout.join('\n')) && Date.now() < until)
        await new Promise((r) => setTimeout(r, 20));
      return io.stdout.join('\n');
    };
    const out = await waitFor(/ready$/m);
    const port = Number(/ECR listening on tcp 127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
    const web = /web UI on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1] as string;
    const first = await EcrClient.connectTcp('127.0.0.1', port);
    const second = await EcrClient.connectTcp('127.0.0.1', port);
    try {
      assert.match(await waitFor(/refused/), /ECR tcp:127\.0\.0\.1:\d+ refused: .*at most 1 ECR connection/);
      assert.match(
        await waitFor(/closed: .*nothing received/),
        /ECR tcp:127\.0\.0\.1:\d+ closed: ECR link \S+: nothing received for 1000 ms, closed/,
      );
      const status = (hostHeader: string) =>
        new Promise<number>((resolve, reject) =>
          request(new URL('api/state', web), { headers: { host: hostHeader } }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
            .on('error', reject)
            .end(),
        );
      const webPort = new URL(web).port;
      assert.equal(await status(`bench-7.lab:${webPort}`), 200);
      assert.equal(await status(`rebound.example:${webPort}`), 403);
    } finally {
      await first.close();
      await second.close();
    }
    stop();
    assert.equal(await run, 0);
  });

  it('serves nexo on --nexo: a Diagnosis is answered, then it stops when asked', async () => {
    const io = memoryIo();
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((r) => (stop = r));
    const running = runEmulator(
      ['--profile', 'cup-pos-ci', '--host', `127.0.0.1:${host.address.port}`, '--nexo', '127.0.0.1:0'],
      io,
      stopped,
    );
    for (let i = 0; i < 200 && !io.stdout.some((l) => /ready/.test(l)); i++)
      await new Promise((r) => setTimeout(r, 25));
    const line = io.stdout.find((l) => /nexo on/.test(l)) ?? '';
    const m = /nexo on (http:\/\/127\.0\.0\.1:\d+\/nexo) \(POIID payhil-emulator\)/.exec(line);
    assert.ok(m, io.stdout.join('\n'));
    const body = JSON.stringify({
      SaleToPOIRequest: {
        MessageHeader: {
          MessageClass: 'Service',
          MessageCategory: 'Diagnosis',
          MessageType: 'Request',
          ServiceID: '1',
          SaleID: 's',
          POIID: 'payhil-emulator',
        },
        DiagnosisRequest: {},
      },
    });
    const answer = await new Promise<string>((resolve, reject) => {
      const req = request(
        m[1] as string,
        { method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
    assert.match(answer, /"DiagnosisResponse":\{"Response":\{"Result":"Success"/);
    stop();
    assert.equal(await running, 0);
  });
});
