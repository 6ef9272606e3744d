import { userInfo } from 'node:os';
import { connectRedis, LabStore, parseRedisAddress, type BenchStatus } from '../lab/index.js';
import { EXIT_FAIL, EXIT_OK, type CliIo, type Command } from './command.js';
import { parseCommandArgs } from './command-args.js';
import { labDuration, queueUrl } from './lab-duration.js';
import { UsageError } from './usage-error.js';

const HELP = `usage: payhil lab status|reserve|release|check [BENCH] --queue redis://HOST:PORT [options]

  status              every bench: idle, running (run, scenario, since), reserved (by, until),
                      unhealthy (why, since), offline (its agent stopped beating); --json for scripts
  reserve BENCH --for DURATION [--note TEXT] [--by NAME]
                      take a bench out of its pool for manual work; it expires unless reserved again
                      (by the same person) before then
  release BENCH       end a reservation
  check BENCH [--timeout DURATION]
                      ask the bench's agent to restart and health-check it: a passing bench takes work
                      again (exit 0), a failing one stays out (exit 1)

  --queue URL         Redis of the lab (default $PAYHIL_QUEUE)

Exit status: 0 done, 1 the health check failed, 2 usage error (unknown bench, Redis unreachable).`;

function ago(ms: number): string {
  const s = Math.max(0, Math.round((Date.now() - ms) / 1000));
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`;
}

/** One line of the status table. */
export function statusLine(b: BenchStatus): string {
  const tags = Object.entries(b.tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  let what = '';
  if (b.status === 'running' && b.activity)
    what = `run ${b.activity.run} ${b.activity.scenario} since ${ago(b.activity.since)}`;
  else if (b.status === 'reserved' && b.reservation)
    what = `by ${b.reservation.by} until ${new Date(b.reservation.until).toISOString()}${b.reservation.note ? ` (${b.reservation.note})` : ''}`;
  else if (b.status === 'unhealthy' && b.health)
    what = `${b.health.reason ?? ''} (since ${ago(b.health.since)})`;
  else if (b.status === 'offline') what = `agent ${b.agent} not beating`;
  return `${b.name.padEnd(16)} ${b.status.padEnd(9)} ${b.pool.padEnd(16)} ${tags}${what ? `  ${what}` : ''}`;
}

export const labCommand: Command = {
  name: 'lab',
  summary: 'lab benches: status, reserve, release, health check',
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs('lab', {
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        queue: { type: 'string' },
        json: { type: 'boolean' },
        for: { type: 'string' },
        note: { type: 'string' },
        by: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [action, bench, ...rest] = positionals;
    if (values.help || action === undefined) {
      io.out(HELP);
      return values.help ? EXIT_OK : 2;
    }
    if (!['status', 'reserve', 'release', 'check'].includes(action))
      throw new UsageError(`lab: unknown action '${action}' (status, reserve, release, check)`);
    if (rest.length > 0) throw new UsageError(`lab ${action}: unexpected '${rest.join(' ')}'`);
    if (action !== 'status' && bench === undefined) throw new UsageError(`lab ${action}: which BENCH?`);
    if (action === 'reserve' && values.for === undefined)
      throw new UsageError('lab reserve: --for DURATION is needed (e.g. 2h)');
    const forMs = values.for !== undefined ? labDuration(values.for, 'lab reserve: --for') : 0;
    const timeoutMs =
      values.timeout !== undefined ? labDuration(values.timeout, 'lab check: --timeout') : 120000;
    const address = parseRedisAddress(queueUrl(values.queue, 'lab'));
    const redis = await connectRedis(address);
    redis.on('error', () => undefined);
    const store = new LabStore(redis);
    try {
      if (action === 'status') {
        const all = await store.status();
        if (values.json) io.out(JSON.stringify(all, null, 2));
        else if (all.length === 0) io.out(`lab ${address.display}: no bench registered (start payhil agent)`);
        else {
          io.out(`${'bench'.padEnd(16)} ${'status'.padEnd(9)} ${'pool'.padEnd(16)} tags`);
          for (const b of all) io.out(statusLine(b));
        }
        return EXIT_OK;
      }
      const name = bench as string;
      if (action === 'reserve') {
        const by = values.by ?? process.env.USER ?? userInfo().username;
        const until = Date.now() + forMs;
        await store.reserve(name, { by, until, ...(values.note !== undefined ? { note: values.note } : {}) });
        io.out(`bench ${name}: reserved by ${by} until ${new Date(until).toISOString()}`);
        return EXIT_OK;
      }
      if (action === 'release') {
        const had = await store.release(name);
        io.out(`bench ${name}: ${had ? 'released' : 'was not reserved'}`);
        return EXIT_OK;
      }
      const reg = await store.known(name);
      const id = await store.requestCheck(name);
      io.out(`bench ${name}: health check asked of agent ${reg.agent}`);
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        const h = await store.checkResult(id);
        if (h) {
          io.out(`bench ${name}: ${h.healthy ? 'healthy, takes work' : `unhealthy: ${h.reason ?? ''}`}`);
          return h.healthy ? EXIT_OK : EXIT_FAIL;
        }
        await new Promise((r) => setTimeout(r, 250));
      }
      io.err(
        `lab check: no answer from agent ${reg.agent} within ${Math.round(timeoutMs / 1000)} s (is it running?)`,
      );
      return EXIT_FAIL;
    } finally {
      redis.disconnect();
    }
  },
};
