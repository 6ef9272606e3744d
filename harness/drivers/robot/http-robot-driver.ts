/**
 * The `robot` driver for an HTTP robot arm in the style of Payworks' GRANT robot (docs/mux-robot.md):
 *
 *   GET /arm/insert?card=<rack position>          GET /arm/remove
 *   GET /arm/tap?card=<rack position>&hold=<ms>   GET /arm/press?key=<key>
 *   GET /arm/status → {"state":"ready"|"busy"|"jam","card"?:…,"detail"?:…}
 *   GET /arm/rack   → {"positions":{"<position>":"<card label>",…}}
 *
 * A move is answered 200 when done (body ignored), 409 with the status JSON when the arm jams, other
 * statuses with a text. Bodies are read up to 16 KiB; every request has a timeout. It implements the
 * `Robot` capability and a `Keypad` (PIN digits pressed one by one, then ENTER).
 */
import { request } from 'node:http';
import { ActiveGuard, type Keypad, type Robot, type RobotStatus } from '../../capabilities/index.js';
import { RobotError } from './errors.js';

/** Largest answer body read (bytes). */
export const ROBOT_MAX_BODY = 16 * 1024;

/** Keys the robot has a finger for (the capability's names). */
const KEYS = /^(\d|enter|cancel|clear|back|menu|up|down|F[1-4])$/i;

export interface HttpRobotOptions {
  /** The robot's base URL, e.g. http://192.0.2.20:8080 (http only). */
  url: string;
  /** Longest wait for a move (ms). Default 30 000. */
  moveTimeoutMs?: number;
  /** Longest wait for status and key presses (ms). Default 5 000. */
  timeoutMs?: number;
}

export class HttpRobotDriver {
  readonly name: string;
  readonly robot: Robot;
  readonly keypad: Keypad;
  private readonly base: URL;
  private readonly guard: ActiveGuard<true>;

  constructor(private readonly options: HttpRobotOptions) {
    this.base = new URL(options.url);
    if (this.base.protocol !== 'http:')
      throw new RobotError(`robot ${options.url}`, 'configure', 'the robot URL must be http://host:port', {
        code: 'E_ROBOT_UNREACHABLE',
      });
    this.name = `robot ${this.base.host}`;
    this.guard = new ActiveGuard(
      (op) => new RobotError(this.name, op, 'the robot driver is not active', { code: 'E_ROBOT_INACTIVE' }),
    );
    const move = this.options.moveTimeoutMs ?? 30000;
    this.robot = {
      insert: async (card) => void (await this.call('insert', { card }, move)),
      tap: async (card, holdMs) =>
        void (await this.call(
          'tap',
          { card, ...(holdMs !== undefined ? { hold: String(Math.round(holdMs)) } : {}) },
          move,
        )),
      remove: async () => void (await this.call('remove', {}, move)),
      press: (key) => this.press(key),
      status: () => this.status(),
      rack: () => this.rack(),
    };
    this.keypad = {
      enterPin: async (pin) => {
        if (!/^\d{4,12}$/.test(pin))
          throw new RobotError(this.name, 'enterPin', 'a PIN is 4 to 12 digits', { code: 'E_ROBOT_KEY' });
        for (const d of pin) await this.press(d);
        await this.press('enter');
      },
      cancel: () => this.press('cancel'),
      press: (key) => this.press(key),
    };
  }

  /** Asks the robot's status: unreachable or jammed → broken with what to fix. */
  async activate(): Promise<void> {
    if (this.guard.active) return;
    this.guard.activate(true);
    try {
      const s = await this.status();
      if (s.state === 'jam') throw jamError(this.name, 'activate', s);
    } catch (e) {
      this.guard.deactivate();
      throw e;
    }
  }

  async deactivate(): Promise<void> {
    this.guard.deactivate();
  }

  async status(): Promise<RobotStatus> {
    const body = await this.call('status', {}, this.options.timeoutMs ?? 5000);
    const s = parseStatus(body);
    if (!s)
      throw new RobotError(
        this.name,
        'status',
        `answer is not a robot status: ${JSON.stringify(body.slice(0, 120))}`,
        {
          code: 'E_ROBOT_GARBAGE',
        },
      );
    return s;
  }

  /** The rack report: position → card label. */
  async rack(): Promise<Record<string, string>> {
    const body = await this.call('rack', {}, this.options.timeoutMs ?? 5000);
    let v: unknown;
    try {
      v = JSON.parse(body);
    } catch {
      v = undefined;
    }
    const positions = v && typeof v === 'object' ? (v as { positions?: unknown }).positions : undefined;
    if (!positions || typeof positions !== 'object' || Array.isArray(positions))
      throw new RobotError(
        this.name,
        'rack',
        `answer is not a rack report: ${JSON.stringify(body.slice(0, 120))}`,
        {
          code: 'E_ROBOT_GARBAGE',
        },
      );
    const out: Record<string, string> = {};
    for (const [k, label] of Object.entries(positions)) if (typeof label === 'string') out[k] = label;
    return out;
  }

  private async press(key: string): Promise<void> {
    if (!KEYS.test(key))
      throw new RobotError(this.name, `press ${key}`, `the robot has no key '${key}'`, {
        code: 'E_ROBOT_KEY',
      });
    await this.call('press', { key: key.toLowerCase() }, this.options.timeoutMs ?? 5000);
  }

  /** GET /arm/<action>?query; the body of a 200 answer. */
  private call(action: string, query: Record<string, string>, timeoutMs: number): Promise<string> {
    this.guard.need(action);
    const url = new URL(`arm/${action}`, this.base.href.endsWith('/') ? this.base : `${this.base.href}/`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const op = `GET ${url.pathname}${url.search}`;
    return new Promise((resolve, reject) => {
      const req = request(url, { method: 'GET', headers: { accept: 'application/json' } }, (res) => {
        const parts: Buffer[] = [];
        let size = 0;
        res.on('data', (b: Buffer) => {
          size += b.length;
          if (size > ROBOT_MAX_BODY) {
            req.destroy();
            reject(
              new RobotError(this.name, op, `answer larger than ${ROBOT_MAX_BODY} bytes`, {
                code: 'E_ROBOT_GARBAGE',
              }),
            );
            return;
          }
          parts.push(b);
        });
        res.on('error', (e) =>
          reject(new RobotError(this.name, op, e.message, { code: 'E_ROBOT_UNREACHABLE', cause: e })),
        );
        res.on('end', () => {
          if (size > ROBOT_MAX_BODY) return;
          const body = Buffer.concat(parts).toString('utf8');
          const status = res.statusCode ?? 0;
          if (status === 200) return resolve(body);
          const s = parseStatus(body);
          if (status === 409 || s?.state === 'jam') return reject(jamError(this.name, op, s));
          reject(
            new RobotError(
              this.name,
              op,
              `the robot answered HTTP ${status}: ${body.slice(0, 200).trim() || '(no text)'}`,
              {
                code: 'E_ROBOT_REFUSED',
                causeCode: String(status),
              },
            ),
          );
        });
      });
      req.setTimeout(timeoutMs, () => {
        req.destroy();
        reject(
          new RobotError(
            this.name,
            op,
            `no answer within ${timeoutMs} ms: is the robot on and at ${this.base.host}?`,
            {
              code: 'E_ROBOT_TIMEOUT',
            },
          ),
        );
      });
      req.on('error', (e) =>
        reject(
          new RobotError(
            this.name,
            op,
            `${e.message}: is the robot on and at ${this.base.host} (keypad.url / card.url)?`,
            {
              code: 'E_ROBOT_UNREACHABLE',
              cause: e,
            },
          ),
        ),
      );
      req.end();
    });
  }
}

function jamError(driver: string, op: string, s: RobotStatus | undefined): RobotError {
  return new RobotError(
    driver,
    op,
    `the robot reports a jam${s?.detail ? ` (${s.detail})` : ''}: clear the arm and the card path, then run again`,
    { code: 'E_ROBOT_JAM' },
  );
}

/** The status JSON, or undefined when the body is not one. */
export function parseStatus(body: string): RobotStatus | undefined {
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if (o.state !== 'ready' && o.state !== 'busy' && o.state !== 'jam') return undefined;
  return {
    state: o.state,
    ...(typeof o.card === 'string' ? { card: o.card } : {}),
    ...(typeof o.detail === 'string' ? { detail: o.detail.slice(0, 200) } : {}),
  };
}
