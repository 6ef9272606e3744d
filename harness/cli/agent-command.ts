import { Agent, connectRedis, loadInventory, parseRedisAddress } from '../lab/index.js';
import type { Scenario } from '../scenario/index.js';
import { EXIT_OK, type CliIo, type Command } from './command.js';
import { parseCommandArgs } from './command-args.js';
import { labDuration, queueUrl } from './lab-duration.js';
import { runOneScenario } from './run-one-scenario.js';
import { runUntilStopSignal } from './stop-signal.js';
import { UsageError } from './usage-error.js';
import { configurePack } from './pack-fixtures.js';

const HELP = `usage: payhil agent --queue redis://HOST:PORT --lab FILE|FOLDER [--bench NAME]… [options]

Serves the benches of this machine to the lab: registers them, beats a heartbeat, runs a health check
on each before its first job (and after any broken verdict), then runs the scenarios of their pools'
queues, one at a time per bench, and sends back each scenario's results. SIGINT/SIGTERM: the running
scenarios finish, then the benches are deregistered.

  --queue URL         Redis of the lab (redis://[user:password@]host:port[/db]; default $PAYHIL_QUEUE)
  --lab FILE|FOLDER   lab inventory (fixtures/inventories/*.yaml schema)
  --bench NAME        serve only this bench of the inventory (repeatable; default: all)
  --lock DURATION     job lock, the lease of a bench, renewed at half (default 30s); a killed agent's
                      scenario runs again elsewhere after it
  --heartbeat DURATION  heartbeat period (default 2s; offline after 3 missed)
  --fixtures DIR      the scenario pack's fixtures (terminal profiles, cards, hosts…), before payhil's
                      bundled ones (repeatable; default: the fixtures/ folder of the nearest folder above
                      the --lab inventory that has one or a package.json); see docs/packs.md

Exit status: 0 stopped by a signal, 2 usage or configuration error (bad inventory, Redis unreachable).`;

export const agentCommand: Command = {
  name: 'agent',
  summary: "serve this machine's benches to the lab (BullMQ on Redis)",
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs('agent', {
      args: argv,
      strict: true,
      options: {
        queue: { type: 'string' },
        lab: { type: 'string' },
        bench: { type: 'string', multiple: true },
        lock: { type: 'string' },
        heartbeat: { type: 'string' },
        fixtures: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      io.out(HELP);
      return EXIT_OK;
    }
    if (values.lab === undefined) throw new UsageError('agent: --lab FILE|FOLDER is needed');
    const address = parseRedisAddress(queueUrl(values.queue, 'agent'));
    const lockMs = values.lock !== undefined ? labDuration(values.lock, 'agent: --lock') : undefined;
    const heartbeatMs =
      values.heartbeat !== undefined ? labDuration(values.heartbeat, 'agent: --heartbeat') : undefined;
    configurePack(io, 'agent', values.fixtures, [values.lab]);
    let benches = loadInventory(values.lab, io.cwd);
    if (values.bench) {
      const names = new Set(benches.map((b) => b.name));
      for (const n of values.bench)
        if (!names.has(n))
          throw new UsageError(`agent: no bench '${n}' in ${values.lab} (benches: ${[...names].join(', ')})`);
      benches = benches.filter((b) => values.bench?.includes(b.name));
    }
    const redis = await connectRedis(address);
    redis.on('error', () => undefined);
    const agent = new Agent({
      address,
      redis,
      benches,
      ...(lockMs !== undefined ? { lockMs } : {}),
      ...(heartbeatMs !== undefined ? { heartbeatMs } : {}),
      execute: (bench, job) => runOneScenario(bench, job.scenario as Scenario, job.index, job.options),
      log: (l) => io.out(l),
    });
    try {
      await agent.start();
      io.out(`agent ${agent.id}: serving ${benches.map((b) => b.name).join(', ')} on ${address.display}`);
      return await runUntilStopSignal(async (stop) => {
        await stop;
        io.out(`agent ${agent.id}: stopping (running scenarios finish)`);
        await agent.stop();
        io.out(`agent ${agent.id}: deregistered`);
        return EXIT_OK;
      });
    } catch (e) {
      await agent.stop().catch(() => undefined);
      throw e;
    } finally {
      redis.disconnect();
    }
  },
};
