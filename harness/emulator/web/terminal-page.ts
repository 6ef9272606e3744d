/**
 * The emulator's web page: one self-contained HTML document (CSS and vanilla JS inline, no external
 * resources) that draws the terminal, follows it live over Server-Sent Events (`events`) and acts through
 * POST JSON (`api/request`, ECR-shaped bodies). Every element a test touches has a `data-testid`
 * (./web-selectors.ts). No full PAN and no PIN digit ever reaches the page: PIN entry shows `*`.
 * `window.payhilTest` is the page's test mode for a harness: `addCard(name, fixture)` puts an inline card
 * (a picker card with changed fields) in the picker, `cardState(name?, reset?)` answers a card's run state,
 * `device(device, condition)` puts a peripheral into a condition (a reader fault, a weak contactless field…),
 * `mode(mode)` switches a custodian's maintenance on (`maintenance`) or off (`normal`),
 * `clock({set} | {advance} | {reset: true})` sets, moves or resets the terminal's calendar.
 */

const CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:"Noto Sans","Noto Sans CJK SC","WenQuanYi Micro Hei","Microsoft YaHei",Arial,sans-serif;
 background:#2b2f36;color:#222;display:flex;gap:24px;justify-content:center;align-items:flex-start;padding:24px}
.device{width:340px;background:linear-gradient(#3a3f47,#23272d);border-radius:28px;padding:18px 18px 24px;
 box-shadow:0 12px 30px rgba(0,0,0,.5),inset 0 1px 0 rgba(255,255,255,.15);color:#ddd}
.brand{display:flex;justify-content:space-between;align-items:center;font-size:12px;letter-spacing:1px;margin-bottom:8px}
.leds{display:flex;gap:6px}.led{width:10px;height:10px;border-radius:50%;background:#444;border:1px solid #111}
.led[data-on=yes].g{background:#3f3;box-shadow:0 0 6px #3f3}.led[data-on=yes].r{background:#f33;box-shadow:0 0 6px #f33}
.screen{background:#b9d3a2;color:#1c2a14;border:6px solid #111;border-radius:8px;height:150px;padding:10px 12px;
 font-family:"DejaVu Sans Mono","Noto Sans Mono CJK SC",monospace;font-size:18px;line-height:1.35;overflow:hidden;
 box-shadow:inset 0 0 12px rgba(0,0,0,.35)}
.screen div{white-space:pre;text-align:center;min-height:1.35em}
.pin{letter-spacing:6px;font-weight:bold}
.keypad{display:grid;grid-template-columns:repeat(4,1fr);gap:8px;margin-top:16px}
.keypad button{height:44px;border:none;border-radius:8px;font-size:17px;font-weight:bold;cursor:pointer;
 background:#e8e8e8;color:#222;box-shadow:0 3px 0 #888}
.keypad button:active{transform:translateY(2px);box-shadow:0 1px 0 #888}
.keypad .fn{background:#9aa3ad;font-size:13px;height:30px}.keypad .cancel{background:#d9413a;color:#fff}
.keypad .clear{background:#e3c02b}.keypad .enter{background:#35a853;color:#fff;grid-row:span 2;height:auto}
.keypad small{display:block;font-size:10px;font-weight:normal}
.slot{margin-top:30px;height:14px;border-radius:7px;background:#0b0c0e;border:1px solid #555;position:relative}
.slot[data-occupied=yes]::after{content:"";position:absolute;left:30%;right:30%;top:-18px;height:22px;
 background:linear-gradient(#d4af37,#a8862a);border-radius:3px}
.tapzone{margin-top:10px;text-align:center;font-size:11px;color:#9bd}
.side{display:flex;flex-direction:column;gap:16px;width:380px}
.panel{background:#f4f4f0;border-radius:10px;padding:12px 14px;box-shadow:0 4px 14px rgba(0,0,0,.35)}
.panel h2{margin:0 0 8px;font-size:14px;text-transform:uppercase;letter-spacing:1px;color:#555}
.row{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin:4px 0}
.panel input,.panel select{padding:5px;border:1px solid #aaa;border-radius:5px;font-size:14px}
.panel button{padding:6px 10px;border:1px solid #777;border-radius:5px;background:#fff;cursor:pointer;font-size:13px}
.panel button:hover{background:#e6eefc}
.status{display:grid;grid-template-columns:auto 1fr;gap:2px 10px;font-size:13px}
.result{font-size:18px;font-weight:bold;padding:6px;border-radius:6px;text-align:center;background:#ddd}
.result[data-outcome=approved]{background:#c9f1cf;color:#145a1f}.result[data-outcome=declined],.result[data-outcome=failed]{background:#f7d0cd;color:#7d1710}
.result[data-outcome=cancelled]{background:#f3e7b5}
.receipt{background:#fff;font-family:"DejaVu Sans Mono",monospace;font-size:12px;white-space:pre;padding:10px;
 border:1px dashed #bbb;min-height:60px;max-height:320px;overflow:auto}
.error{color:#b00;font-size:13px;min-height:1em}
.log{font-family:monospace;font-size:11px;max-height:140px;overflow:auto;background:#fff;border:1px solid #ddd;padding:4px}
`;

const SCRIPT = String.raw`
(function () {
  'use strict';
  var $ = function (id) { return document.querySelector('[data-testid="' + id + '"]'); };
  var state = '', pinDigits = 0, exponent = 2;
  function setText(id, t) { var el = $(id); if (el) el.textContent = t; }
  function logLine(t) {
    var el = $('event-log'); var d = document.createElement('div');
    d.textContent = new Date().toISOString().slice(11, 23) + ' ' + t; el.appendChild(d);
    while (el.childNodes.length > 200) el.removeChild(el.firstChild);
    el.scrollTop = el.scrollHeight;
  }
  function renderDisplay(lines, key) {
    var s = $('display'); s.textContent = ''; s.setAttribute('data-key', key || '');
    lines.forEach(function (l, i) {
      var d = document.createElement('div'); d.setAttribute('data-testid', 'display-line-' + i);
      d.textContent = l; s.appendChild(d);
    });
    var p = document.createElement('div'); p.className = 'pin'; p.setAttribute('data-testid', 'pin-mask');
    s.appendChild(p); renderPin();
  }
  function renderPin() {
    var p = $('pin-mask'); if (p) p.textContent = '*'.repeat(pinDigits);
  }
  function renderStatus(st) {
    if (!st) return;
    state = st.state; $('terminal').setAttribute('data-state', st.state);
    setText('status-state', st.state);
    setText('status-signed-in', st.signedIn ? 'yes' : 'no');
    setText('status-busy', st.busy ? 'yes' : 'no');
    setText('status-profile', st.profile);
    if (st.batch !== undefined) setText('status-batch', st.batch);
    if (st.pendingReversal !== undefined) setText('status-pending-reversal', st.pendingReversal ? 'yes' : 'no');
    if (st.devices) setText('status-devices', Object.keys(st.devices).map(function (k) { return k + ':' + st.devices[k]; }).join(' '));
    if (st.defects) setText('status-defects', st.defects.length ? st.defects.join(' ') : 'none');
    var slot = $('card-slot');
    if (st.cardSlot) {
      slot.setAttribute('data-occupied', st.cardSlot.occupied ? 'yes' : 'no');
      slot.setAttribute('data-retained', st.cardSlot.retained ? 'yes' : 'no');
    }
  }
  function renderResult(r) {
    var el = $('result'); if (!r) { el.textContent = '—'; el.removeAttribute('data-outcome'); return; }
    el.textContent = r.message || r.outcome; el.setAttribute('data-outcome', r.outcome);
    el.setAttribute('data-transaction', r.transaction);
    el.setAttribute('data-response-code', r.responseCode || '');
    // Result details with scalar values (messageKey, fieldMs, receiptPrinted…), for a harness to read.
    var d = {}; Object.keys(r.details || {}).forEach(function (k) { var v = r.details[k]; if (v === null || typeof v !== 'object') d[k] = v; });
    el.setAttribute('data-details', JSON.stringify(d));
    el.title = [r.transaction, r.maskedPan, r.reference && ('ref ' + r.reference), r.authCode && ('auth ' + r.authCode)]
      .filter(Boolean).join(' · ');
  }
  function leds(l) {
    if (!l) return;
    Object.keys(l).forEach(function (k) { var e = $('led-' + k); if (e) e.setAttribute('data-on', l[k] === 'off' ? 'no' : 'yes'); });
  }
  function apply(e) {
    switch (e.type) {
      case 'snapshot':
        exponent = e.profile.currencyExponent;
        $('terminal').setAttribute('data-kind', e.profile.kind);
        document.documentElement.lang = e.profile.language === 'zh' ? 'zh-CN' : 'en';
        fillCards(e.cards); renderDisplay(e.display.lines, e.display.key); renderStatus(e.status);
        renderResult(e.lastResult); setText('receipt', e.receipt || '');
        Array.prototype.forEach.call(document.querySelectorAll('[data-tx]'), function (b) {
          b.disabled = e.profile.transactions.indexOf(b.getAttribute('data-tx')) < 0 && b.getAttribute('data-tx') !== 'signIn';
        });
        break;
      case 'display': renderDisplay(e.lines, e.key); break;
      case 'state':
        if (e.state !== 'cardholderVerification') pinDigits = 0;
        renderStatus(e.status); renderPin(); logLine('state ' + e.state); break;
      case 'receipt': if (e.copy === 'merchant') setText('receipt', e.text); break;
      case 'result': renderResult(e.result); renderStatus(e.status);
        logLine('result ' + e.result.transaction + ' ' + e.result.outcome + ' ' + (e.result.responseCode || '')); break;
      case 'indicator': leds(e.leds); break;
      case 'card': renderStatus(e.status); logLine('card ' + e.action + ' ' + e.card + (e.maskedPan ? ' ' + e.maskedPan : '')); break;
      case 'message': logLine((e.direction === 'sent' ? '→ ' : '← ') + e.mti + (e.responseCode ? ' rc ' + e.responseCode : '')); break;
      case 'reversal': renderStatus(e.terminal); logLine('reversal ' + e.status + ' ' + e.stan); break;
      case 'device': renderStatus(e.terminal); logLine('device ' + e.device + ' ' + e.condition); break;
      case 'mode': renderStatus(e.terminal); logLine('mode ' + e.mode); break;
      case 'host-error': logLine('host ' + e.reason + ': ' + e.text); break;
      case 'error': setText('error', e.message); break;
    }
  }
  var filled = false, inline = {};
  function addOption(value, label) {
    var sel = $('card-picker'), o = document.createElement('option'); o.value = value; o.textContent = label; sel.appendChild(o);
  }
  function fillCards(cards) {
    if (filled) return; filled = true;
    cards.forEach(function (c) { addOption(c, c); });
  }
  function cardRef(name) {
    var req = { card: name };
    if (inline[name]) req.fixture = inline[name];
    return req;
  }
  function send(body, quiet) {
    if (!quiet) setText('error', '');
    return fetch('api/request', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok && !quiet) setText('error', j.error.code + ': ' + j.error.message); return j; }); })
      .catch(function (err) { if (!quiet) setText('error', String(err)); return { error: { code: 'INTERNAL', message: String(err) } }; });
  }
  // Test mode, for a harness driving this page (docs/emulator-web.md): inline cards in the picker, card state.
  window.payhilTest = {
    addCard: function (name, fixture) {
      if (!inline[name] && !document.querySelector('[data-testid="card-picker"] option[value="' + CSS.escape(name) + '"]'))
        addOption(name, name + ' (' + fixture.extends + ')');
      inline[name] = fixture;
    },
    cardState: function (name, reset, fault) {
      var req = Object.assign({ op: 'cardState' }, name === undefined ? {} : cardRef(name));
      if (reset || fault) req.options = Object.assign(reset ? { reset: true } : {}, fault ? { fault: fault } : {});
      return send(req, true);
    },
    device: function (device, condition) {
      return send({ op: 'device', device: device, condition: condition }, true);
    },
    mode: function (mode) {
      return send({ op: 'mode', mode: mode }, true);
    },
    clock: function (change) {
      return send(Object.assign({ op: 'clock' }, change), true);
    }
  };
  function amount() {
    var v = $('amount-input').value.trim();
    if (!/^\d+(\.\d+)?$/.test(v)) { setText('error', 'amount: enter e.g. 12.34'); return undefined; }
    var parts = v.split('.'); var frac = (parts[1] || '').padEnd(exponent, '0');
    if (frac.length > exponent) { setText('error', 'amount: at most ' + exponent + ' decimals'); return undefined; }
    return Number(parts[0]) * Math.pow(10, exponent) + Number(frac || '0');
  }
  document.addEventListener('click', function (ev) {
    var b = ev.target.closest('button'); if (!b) return;
    var key = b.getAttribute('data-key'), tx = b.getAttribute('data-tx'), card = b.getAttribute('data-card');
    if (key) {
      if (/^\d+$/.test(key) && state === 'cardholderVerification') { pinDigits += key.length; renderPin(); }
      if (key === 'ENTER' || key === 'CLEAR' || key === 'CANCEL') { pinDigits = 0; renderPin(); }
      send({ op: 'key', keys: [key] });
    } else if (tx) {
      var body = { op: tx };
      if (['purchase', 'preAuth', 'withdraw', 'refund'].indexOf(tx) >= 0) { var a = amount(); if (a === undefined) return; body.amount = a; }
      if (tx === 'void' || tx === 'refund') body.originalReference = $('original-reference').value.trim();
      var od = $('original-date').value.trim(); if (tx === 'refund' && od) body.originalDate = od;
      send(body);
    } else if (card) {
      var req = { op: 'card', action: card };
      if (card !== 'remove') Object.assign(req, cardRef($('card-picker').value));
      var h = $('hold-ms').value.trim(); if (card === 'tap' && h) req.holdMs = Number(h);
      send(req);
    } else if (b.getAttribute('data-testid') === 'power-cycle') send({ op: 'powerCycle' });
  });
  var es = new EventSource('events');
  es.onopen = function () { $('status-link').setAttribute('data-connected', 'yes'); setText('status-link', 'live'); };
  es.onerror = function () { $('status-link').setAttribute('data-connected', 'no'); setText('status-link', 'reconnecting'); };
  es.onmessage = function (m) { try { apply(JSON.parse(m.data)); } catch (err) { setText('error', String(err)); } };
})();
`;

function key(k: string, label: string, cls = '', sub = ''): string {
  const id = `key-${k.toLowerCase()}`;
  return `<button type="button" class="${cls}" data-key="${k}" data-testid="${id}">${label}${sub ? `<small>${sub}</small>` : ''}</button>`;
}

function tx(op: string, label: string): string {
  return `<button type="button" data-tx="${op}" data-testid="tx-${op}">${label}</button>`;
}

/** The page (HTML with inline CSS and JS). `title` is shown in the tab and on the device. */
export function renderTerminalPage(title = 'payhil emulator'): string {
  const esc = title.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const keypad = [
    key('F1', 'F1', 'fn'),
    key('F2', 'F2', 'fn'),
    key('F3', 'F3', 'fn'),
    key('F4', 'F4', 'fn'),
    key('1', '1'),
    key('2', '2'),
    key('3', '3'),
    key('CANCEL', 'CANCEL', 'cancel', '取消'),
    key('4', '4'),
    key('5', '5'),
    key('6', '6'),
    key('CLEAR', 'CLEAR', 'clear', '更正'),
    key('7', '7'),
    key('8', '8'),
    key('9', '9'),
    key('ENTER', 'ENTER', 'enter', '确认'),
    '<span></span>',
    key('0', '0'),
    key('00', '00'),
  ].join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc}</title>
<meta name="viewport" content="width=device-width,initial-scale=1"><style>${CSS}</style></head>
<body>
<div class="device" data-testid="terminal" data-state="">
  <div class="brand"><span>${esc}</span><span class="leds">
    <span class="led g" data-testid="led-green" data-on="no" title="green"></span>
    <span class="led r" data-testid="led-red" data-on="no" title="red"></span></span></div>
  <div class="screen" data-testid="display" data-key=""></div>
  <div class="keypad">${keypad}</div>
  <div class="slot" data-testid="card-slot" data-occupied="no" data-retained="no" title="card slot"></div>
  <div class="tapzone">))) contactless · 非接</div>
</div>
<div class="side">
  <div class="panel"><h2>Cash register · 收银</h2>
    <div class="row"><label>Amount <input data-testid="amount-input" size="10" value="12.34" inputmode="decimal"></label>
      ${tx('purchase', 'Purchase 消费')}${tx('preAuth', 'Pre-auth 预授权')}${tx('withdraw', 'Withdraw 取款')}</div>
    <div class="row"><label>Orig. ref <input data-testid="original-reference" size="14"></label>
      <label>date <input data-testid="original-date" size="4" placeholder="MMDD"></label>
      ${tx('void', 'Void 撤销')}${tx('refund', 'Refund 退货')}</div>
    <div class="row">${tx('signIn', 'Sign in 签到')}${tx('balance', 'Balance 查余额')}${tx('settle', 'Settle 结算')}
      <button type="button" data-testid="power-cycle">Power cycle</button></div>
    <div class="error" data-testid="error"></div>
  </div>
  <div class="panel"><h2>Card · 卡</h2>
    <div class="row"><select data-testid="card-picker"></select>
      <label>hold ms <input data-testid="hold-ms" size="5" placeholder="∞"></label></div>
    <div class="row"><button type="button" data-card="insert" data-testid="card-insert">Insert 插卡</button>
      <button type="button" data-card="tap" data-testid="card-tap">Tap 挥卡</button>
      <button type="button" data-card="swipe" data-testid="card-swipe">Swipe 刷卡</button>
      <button type="button" data-card="remove" data-testid="card-remove">Remove 取卡</button></div>
  </div>
  <div class="panel"><h2>Status · 状态</h2>
    <div class="status"><span>state</span><span data-testid="status-state"></span>
      <span>signed in</span><span data-testid="status-signed-in"></span>
      <span>busy</span><span data-testid="status-busy"></span>
      <span>profile</span><span data-testid="status-profile"></span>
      <span>batch</span><span data-testid="status-batch"></span>
      <span>reversal pending</span><span data-testid="status-pending-reversal"></span>
      <span>devices</span><span data-testid="status-devices"></span>
      <span>defects</span><span data-testid="status-defects"></span>
      <span>link</span><span data-testid="status-link" data-connected="no">connecting</span></div>
    <div class="result" data-testid="result" style="margin-top:8px">—</div>
  </div>
  <div class="panel"><h2>Receipt · 签购单</h2><div class="receipt" data-testid="receipt"></div></div>
  <div class="panel"><h2>Events</h2><div class="log" data-testid="event-log"></div></div>
</div>
<script>${SCRIPT}</script>
</body></html>`;
}
