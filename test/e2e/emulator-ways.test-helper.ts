/**
 * Test helper: four "ways in" to the reference terminal behind one small interface, so that the flows of
 * test/e2e/emulator-ways.test.ts are written once. ECR over TCP and ECR over a socat pty pair (both
 * against `payhil emulator` as its own process), the web UI in Debian's Chromium through Playwright (same
 * process, `--web`), and an in-process terminal whose cards come through pcscd + vpcd.
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  createVirtualCard,
  serveCardOnVpcd,
  type EmvVirtualCard,
  type VpcdHandle,
} from '../../harness/cards/index.js';
import {
  PcscCardSource,
  PcscDriver,
  VPCD_READER,
  ensurePcscd,
  missingVpcdStack,
} from '../../harness/drivers/pcsc/index.js';
import {
  EcrClient,
  startPtyPair,
  type EcrEvent,
  type PtyPair,
  type TransactionResult,
} from '../../harness/emulator/ecr/index.js';
import {
  createTerminal,
  TerminalEvents,
  type EmulatedTerminal,
  type TerminalResult,
} from '../../harness/emulator/index.js';
import { startHost, type HostHandle } from '../../harness/host/index.js';
import { startEmulatorProcess, type EmulatorProcess } from './emulator-process.test-helper.js';

export const PROFILE = 'cup-pos-ci';
export const CHROMIUM = '/usr/bin/chromium';
/** Longest wait for one transaction's result (the CI profile answers within a few seconds). */
const RESULT_MS = 20000;
/** Longest wait for a prompt or a state. */
const PROMPT_MS = 8000;

/** A transaction the flows start, in minor units. */
export type WayOp =
  | { op: 'signIn' }
  | { op: 'purchase'; amount: number }
  | { op: 'void'; originalReference: string }
  | { op: 'refund'; amount: number; originalReference: string }
  | { op: 'balance' }
  | { op: 'settle' };

/** What every way in can tell about a finished transaction. */
export interface WayResult {
  transaction: string;
  outcome: 'approved' | 'declined' | 'cancelled' | 'failed';
  responseCode?: string;
  /** The display text of the result, e.g. "APPROVED". */
  message?: string;
  /** Retrieval reference (field 37). */
  reference?: string;
}

/** A started transaction (a wrapper: an async function cannot resolve to a bare promise). */
export interface Started {
  /** The result; never rejects unhandled while the flow is busy elsewhere. */
  readonly result: Promise<WayResult>;
}

export type Presentation = 'insert' | 'tap' | 'swipe';

/** One way into the terminal: the hands and eyes a flow needs. */
export interface WayIn {
  readonly name: string;
  /** The host simulator behind this way's terminal (journal and rules). */
  readonly host: HostHandle;
  /** False where a swipe cannot happen (a PC/SC reader has no stripe head). */
  readonly canSwipe: boolean;
  /** Starts a transaction; resolves once it started, with the promise of its result. */
  start(op: WayOp): Promise<Started>;
  /** Resolves once the terminal waits for a card (after `start`). */
  waitForCardPrompt(): Promise<void>;
  /** Puts a bundled card fixture in front of the terminal. */
  present(card: string, how: Presentation): Promise<void>;
  /** Waits for the PIN prompt, then types the PIN and ENTER. */
  enterPin(pin: string): Promise<void>;
  /** Takes the presented card away (after the result). */
  takeCardAway(): Promise<void>;
  /** The lines on the terminal's display now. */
  display(): Promise<string[]>;
  close(): Promise<void>;
}

/** Why a way in cannot run on this machine, or undefined when it can. */
export function missing(way: 'ecr-tcp' | 'ecr-pty' | 'web' | 'pcsc'): string | undefined {
  const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
  if (way === 'ecr-pty' && !has('socat')) return 'socat';
  if (way === 'web' && !existsSync(CHROMIUM)) return CHROMIUM;
  if (way === 'pcsc') return missingVpcdStack();
  return undefined;
}

function hostArg(host: HostHandle): string {
  return `${host.address.host}:${host.address.port}`;
}

/** Resolves once `check()` is true; rejects after `timeoutMs` (polls every 20 ms). */
async function until(check: () => boolean, what: string, timeoutMs = PROMPT_MS): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A started transaction whose result does not raise an unhandled rejection while a flow is busy elsewhere. */
function started(result: Promise<WayResult>): Started {
  result.catch(() => undefined);
  return { result };
}

// ---- ECR (TCP and socat pty) --------------------------------------------------------------------

class EcrWay implements WayIn {
  readonly canSwipe = true;
  private readonly events: EcrEvent[] = [];
  private mark = 0;
  private inserted = false;

  constructor(
    readonly name: string,
    readonly host: HostHandle,
    private readonly client: EcrClient,
    private readonly closers: (() => Promise<unknown>)[],
  ) {
    client.on('event', (e) => this.events.push(e));
  }

  async start(op: WayOp): Promise<Started> {
    this.mark = this.events.length;
    const p = this.client.request(op, { timeoutMs: RESULT_MS }) as Promise<TransactionResult>;
    return started(p);
  }

  private since(predicate: (e: EcrEvent) => boolean, what: string): Promise<void> {
    return until(() => this.events.slice(this.mark).some(predicate), `${this.name}: ${what}`);
  }

  waitForCardPrompt(): Promise<void> {
    return this.since((e) => e.event === 'state' && e.state === 'waitingForCard', 'waiting for card');
  }

  async present(card: string, how: Presentation): Promise<void> {
    await this.client.request({ op: 'card', action: how, card });
    this.inserted = how === 'insert';
  }

  async enterPin(pin: string): Promise<void> {
    // Pushed events may overtake the answer to `card`: look at everything since the transaction started.
    await this.since((e) => e.event === 'display' && e.lines.includes('PLEASE ENTER PIN'), 'PIN prompt');
    await this.client.request({ op: 'key', keys: [...pin.split(''), 'ENTER'] as never });
  }

  async takeCardAway(): Promise<void> {
    if (this.inserted) await this.client.request({ op: 'card', action: 'remove' });
    this.inserted = false;
  }

  async display(): Promise<string[]> {
    return (await this.client.request({ op: 'readDisplay' })).lines;
  }

  async close(): Promise<void> {
    for (const c of this.closers.reverse()) await c().catch(() => undefined);
  }
}

/** ECR over TCP (127.0.0.1, port 0) to `payhil emulator` as its own process. */
export async function startEcrTcpWay(): Promise<WayIn> {
  const host = await startHost({ dialect: 'cup' });
  let emu: EmulatorProcess | undefined;
  try {
    emu = await startEmulatorProcess([
      '--profile',
      PROFILE,
      '--host',
      hostArg(host),
      '--ecr',
      'tcp:127.0.0.1:0',
    ]);
    if (!emu.ecrTcp) throw new Error(`no ECR address printed:\n${emu.stdout()}`);
    const client = await EcrClient.connectTcp(emu.ecrTcp.host, emu.ecrTcp.port);
    const e = emu;
    return new EcrWay('ECR over TCP', host, client, [
      () => host.close(),
      () => e.stop(),
      () => client.close(),
    ]);
  } catch (err) {
    await emu?.stop();
    await host.close();
    throw err;
  }
}

/** ECR over a socat pty pair (the emulator on one end, the cash register on the other). */
export async function startEcrPtyWay(): Promise<WayIn> {
  const host = await startHost({ dialect: 'cup' });
  let pty: PtyPair | undefined;
  let emu: EmulatorProcess | undefined;
  try {
    pty = await startPtyPair();
    emu = await startEmulatorProcess([
      '--profile',
      PROFILE,
      '--host',
      hostArg(host),
      '--ecr',
      `serial:${pty.a}`,
    ]);
    const client = await EcrClient.openSerial(pty.b);
    const e = emu;
    const p = pty;
    return new EcrWay('ECR over a socat pty pair', host, client, [
      () => host.close(),
      () => p.close(),
      () => e.stop(),
      () => client.close(),
    ]);
  } catch (err) {
    await emu?.stop();
    await pty?.close();
    await host.close();
    throw err;
  }
}

// ---- web UI in Chromium (Playwright) ------------------------------------------------------------

class WebWay implements WayIn {
  readonly name = 'web UI in Chromium';
  readonly canSwipe = true;
  private inserted = false;

  constructor(
    readonly host: HostHandle,
    private readonly page: Page,
    private readonly closers: (() => Promise<unknown>)[],
  ) {}

  private id(name: string) {
    return this.page.getByTestId(name);
  }

  async start(op: WayOp): Promise<Started> {
    // Forget the last result shown, so that the next `data-outcome` is this transaction's.
    await this.id('result').evaluate(
      (el: { removeAttribute(name: string): void; textContent: string | null }) => {
        el.removeAttribute('data-outcome');
        el.textContent = '—';
      },
    );
    if ('amount' in op) await this.id('amount-input').fill((op.amount / 100).toFixed(2));
    if ('originalReference' in op) await this.id('original-reference').fill(op.originalReference);
    await this.id(`tx-${op.op}`).click();
    const result = this.page.locator('[data-testid="result"][data-outcome]');
    return started(
      (async (): Promise<WayResult> => {
        await result.waitFor({ timeout: RESULT_MS });
        const title = (await result.getAttribute('title')) ?? '';
        const reference = /\bref (\S+)/.exec(title)?.[1];
        const rc = await result.getAttribute('data-response-code');
        return {
          transaction: (await result.getAttribute('data-transaction')) ?? '',
          outcome: (await result.getAttribute('data-outcome')) as WayResult['outcome'],
          ...(rc ? { responseCode: rc } : {}),
          message: (await result.textContent()) ?? '',
          ...(reference ? { reference } : {}),
        };
      })(),
    );
  }

  async waitForCardPrompt(): Promise<void> {
    await this.page
      .locator('[data-testid="terminal"][data-state="waitingForCard"]')
      .waitFor({ timeout: PROMPT_MS });
  }

  async present(card: string, how: Presentation): Promise<void> {
    await this.id('hold-ms').fill('');
    await this.id('card-picker').selectOption(card);
    await this.id(`card-${how}`).click();
    this.inserted = how === 'insert';
  }

  async enterPin(pin: string): Promise<void> {
    await this.page
      .locator('[data-testid="display"]:has-text("PLEASE ENTER PIN")')
      .waitFor({ timeout: PROMPT_MS });
    for (const d of pin) await this.id(`key-${d}`).click();
    await this.id('key-enter').click();
  }

  async takeCardAway(): Promise<void> {
    if (!this.inserted) return;
    await this.id('card-remove').click();
    await this.page.locator('[data-testid="card-slot"][data-occupied="no"]').waitFor({ timeout: PROMPT_MS });
    this.inserted = false;
  }

  async display(): Promise<string[]> {
    return this.page.locator('[data-testid^="display-line-"]').allTextContents();
  }

  async close(): Promise<void> {
    for (const c of this.closers.reverse()) await c().catch(() => undefined);
  }
}

/** The web UI of `payhil emulator --web 127.0.0.1:0` in Debian's Chromium. */
export async function startWebWay(): Promise<WayIn> {
  const host = await startHost({ dialect: 'cup' });
  const closers: (() => Promise<unknown>)[] = [() => host.close()];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const emu = await startEmulatorProcess([
      '--profile',
      PROFILE,
      '--host',
      hostArg(host),
      '--web',
      '127.0.0.1:0',
    ]);
    closers.push(() => emu.stop());
    if (!emu.webUrl) throw new Error(`no web UI address printed:\n${emu.stdout()}`);
    const browser: Browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    closers.push(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    await page.goto(emu.webUrl);
    await page.locator('[data-testid="status-link"][data-connected="yes"]').waitFor({ timeout: PROMPT_MS });
    return new WebWay(host, page, closers);
  } catch (err) {
    await close();
    throw err;
  }
}

// ---- in-process terminal, cards through pcscd + vpcd --------------------------------------------

class PcscWay implements WayIn {
  readonly name = 'in-process terminal, card through pcscd + vpcd';
  /** A PC/SC reader has no stripe head: no swipe through this way. */
  readonly canSwipe = false;
  private readonly cards = new Map<string, EmvVirtualCard>();
  private handle: VpcdHandle | undefined;
  private inserted = false;
  private mark = 0;

  constructor(
    readonly host: HostHandle,
    private readonly terminal: EmulatedTerminal,
    private readonly closers: (() => Promise<unknown>)[],
  ) {}

  async start(op: WayOp): Promise<Started> {
    const t = this.terminal;
    this.mark = t.events.lastSeq;
    let p: Promise<TerminalResult>;
    switch (op.op) {
      case 'signIn':
        p = t.signIn();
        break;
      case 'purchase':
        p = t.purchase(op.amount);
        break;
      case 'void':
        p = t.void({ reference: op.originalReference });
        break;
      case 'refund':
        p = t.refund(op.amount, { reference: op.originalReference });
        break;
      case 'balance':
        p = t.balance();
        break;
      case 'settle':
        p = t.settle();
        break;
    }
    return started(
      p.then((r) => ({
        transaction: op.op,
        outcome: r.outcome,
        ...(r.responseCode !== undefined ? { responseCode: r.responseCode } : {}),
        message: r.message,
        ...(r.reference !== undefined ? { reference: r.reference } : {}),
      })),
    );
  }

  async waitForCardPrompt(): Promise<void> {
    await this.terminal.events.waitFor(
      (e) => e.type === 'state' && e.state === 'waitingForCard',
      PROMPT_MS,
      this.mark,
    );
  }

  async present(name: string, how: Presentation): Promise<void> {
    if (how === 'swipe') throw new Error('no swipe through a PC/SC reader');
    let card = this.cards.get(name);
    if (!card) {
      card = createVirtualCard(name);
      this.cards.set(name, card);
    }
    this.handle = await serveCardOnVpcd(card, { via: how === 'insert' ? 'contact' : 'contactless' });
    this.inserted = how === 'insert';
  }

  async enterPin(pin: string): Promise<void> {
    await this.terminal.events.waitFor(
      (e) => e.type === 'display' && e.key === 'enterPin',
      PROMPT_MS,
      this.mark,
    );
    await this.terminal.keypad.press([...pin.split(''), 'ENTER']);
  }

  async takeCardAway(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    // The card source notices the removal within its poll and takes the card out of the slot.
    if (this.inserted) await until(() => !this.terminal.cardSlot.occupied, `${this.name}: card out`);
    this.inserted = false;
  }

  async display(): Promise<string[]> {
    return [...this.terminal.display.lines];
  }

  async close(): Promise<void> {
    await this.handle?.close();
    for (const c of this.closers.reverse()) await c().catch(() => undefined);
  }
}

/** An in-process terminal reading its cards from vpcd's reader through pcscd (`PcscCardSource`). */
export async function startPcscWay(): Promise<WayIn> {
  ensurePcscd();
  const host = await startHost({ dialect: 'cup' });
  const closers: (() => Promise<unknown>)[] = [() => host.close()];
  try {
    const terminal = await createTerminal({
      profile: PROFILE,
      host: host.address,
      events: new TerminalEvents(),
    });
    closers.push(() => terminal.close());
    const driver = new PcscDriver();
    await driver.activate();
    closers.push(() => driver.deactivate());
    const source = new PcscCardSource({
      driver,
      reader: VPCD_READER,
      slot: () => terminal.cardSlot,
      pollMs: 100,
    });
    await source.start();
    closers.push(() => source.stop());
    return new PcscWay(host, terminal, closers);
  } catch (err) {
    for (const c of closers.reverse()) await c().catch(() => undefined);
    throw err;
  }
}
