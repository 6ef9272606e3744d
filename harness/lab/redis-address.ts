/**
 * The `--queue redis://[user][:password]@host:port[/db]` address: parsed, checked, shown without its
 * password, and reached once (PING) before a command relies on it, so a wrong address or password is a
 * clear usage error (exit 2) rather than endless reconnects.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { LabError } from './errors.js';

export interface RedisAddress {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  /** The address as shown in messages: no password. */
  display: string;
}

/** Parses a redis:// URL; LabError (usage) when it is not one. */
export function parseRedisAddress(url: string): RedisAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new LabError('E_LAB_QUEUE_URL', `--queue: '${url}' is not a URL (redis://HOST:PORT)`);
  }
  if (u.protocol !== 'redis:')
    throw new LabError('E_LAB_QUEUE_URL', `--queue: '${u.protocol}' is not redis: (redis://HOST:PORT)`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const db = u.pathname === '' || u.pathname === '/' ? 0 : Number(u.pathname.slice(1));
  if (!u.hostname || !Number.isInteger(db) || db < 0 || db > 15)
    throw new LabError('E_LAB_QUEUE_URL', `--queue: '${u.host}${u.pathname}' is not HOST:PORT[/DB 0-15]`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return {
    host,
    port,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    display: `redis://${u.username ? `${u.username}@` : ''}${u.host}${db ? `/${db}` : ''}`,
  };
}

/** ioredis options of an address (BullMQ takes the same). */
export function redisOptions(a: RedisAddress, extra: RedisOptions = {}): RedisOptions {
  return {
    host: a.host,
    port: a.port,
    db: a.db,
    ...(a.username ? { username: a.username } : {}),
    ...(a.password ? { password: a.password } : {}),
    ...extra,
  };
}

/**
 * Connects and PINGs once (bounded by `timeoutMs`); resolves with a connected client that reconnects
 * by itself afterwards. LabError (usage) with the address and the reason when Redis cannot be reached
 * or refuses the credentials.
 */
export async function connectRedis(a: RedisAddress, timeoutMs = 5000): Promise<Redis> {
  const client = new Redis(
    redisOptions(a, {
      lazyConnect: true,
      connectTimeout: timeoutMs,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: true,
      retryStrategy: () => null,
    }),
  );
  let lastError: Error | undefined;
  client.on('error', (e: Error) => {
    lastError = e;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    client.disconnect();
    // The event error says why (WRONGPASS, ECONNREFUSED) where the rejection only says "closed".
    const cause = lastError && /closed/i.test((e as Error).message) ? lastError : (e as Error);
    const reason = cause.message.replace(a.password ?? '\u0000', '***');
    const hint = /WRONGPASS|NOAUTH|invalid password|invalid username/i.test(reason)
      ? ' (wrong user or password)'
      : '';
    throw new LabError('E_LAB_QUEUE_UNREACHABLE', `cannot use Redis at ${a.display}: ${reason}${hint}`);
  }
  // From now on, reconnect: a short outage during a run is waited out by the caller.
  client.options.retryStrategy = (times: number) => Math.min(200 * times, 2000);
  return client;
}
