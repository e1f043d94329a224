// The phone page, first part: join by code (or come back with the stored token), then start the live page.
// The live part (and the Socket.IO client) loads only once joined, so the join page stays small.

import { byId, h, load, save, setText } from './dom.js';

const main = byId('main');
const LAST = 'workshop.last';
const keyOf = (code) => `workshop.join.${code}`;
const normalise = (code) => String(code || '').toUpperCase().replace(/[^A-Z0-9]/g, '');
let info = null;

async function request(url, body) {
  try {
    const options = body
      ? { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }
      : {};
    const response = await fetch(url, options);
    return await response.json();
  } catch {
    return { ok: false, error: { message: 'Cannot reach the workshop. Check your Wi-Fi or mobile data and try again.' } };
  }
}

function showError(el, message) {
  setText(el, message || '');
  el.hidden = !message;
}

function step(name) {
  for (const id of ['join-step', 'details-step', 'live']) byId(id).hidden = id !== name;
}

async function lookUp(code) {
  const reply = await request(`/api/join/${encodeURIComponent(code)}`);
  if (!reply.ok) return reply.error;
  info = reply.workshop;
  setText(byId('w-title'), info.title);
  setText(byId('consent-text'), info.consent_text);
  const groups = [...info.groups, { id: '', label: 'Prefer not to say' }];
  byId('groups').replaceChildren(
    h('legend', {}, 'Which best describes you? ', h('span', { class: 'hint' }, '(optional)')),
    ...groups.map((g) => h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'group', value: g.id }), g.label)),
  );
  step('details-step');
  byId('details-h').focus();
  // While the person reads and types, fetch the live page's scripts so joining is quick.
  import('./participant-live.js').catch(() => {});
  return null;
}

async function onCode(event) {
  event.preventDefault();
  const code = normalise(byId('code').value);
  if (!code) {
    showError(byId('join-error'), 'Type the code shown on the screen.');
    byId('code').focus();
    return;
  }
  const stored = load(keyOf(code));
  if (stored && stored.token) return enter(stored);
  const error = await lookUp(code);
  if (error) {
    showError(byId('join-error'), error.message);
    byId('code').focus();
  }
}

async function onDetails(event) {
  event.preventDefault();
  const error = byId('details-error');
  if (!byId('ack').checked) {
    showError(error, 'Please tick the box to say you have read how your input is used.');
    byId('ack').focus();
    return;
  }
  const form = new FormData(byId('details-form'));
  const reply = await request('/api/join', {
    code: info.code,
    display_name: String(form.get('display_name') || '').trim(),
    group: form.get('group') || null,
    acknowledged: true,
  });
  if (!reply.ok) {
    showError(error, reply.error.message);
    return;
  }
  const entry = { token: reply.token, workshop_id: reply.workshop_id, code: info.code, title: info.title };
  save(keyOf(info.code), entry);
  save(LAST, info.code);
  enter(entry);
}

function forget(entry) {
  save(keyOf(entry.code), null);
  save(`workshop.outbox.${entry.workshop_id}`, null);
  if (load(LAST) === entry.code) save(LAST, null);
}

async function enter(entry) {
  step('live');
  setText(byId('w-title'), entry.title || 'Workshop');
  const { startLive } = await import('./participant-live.js');
  startLive(entry, {
    refused(error) {
      if (error.code === 'not_found') forget(entry);
      step('join-step');
      byId('conn').hidden = true;
      showError(byId('join-error'), error.code === 'not_found'
        ? 'Your place in this workshop was not found. Join again with the code.'
        : error.message || 'You cannot take part in this workshop any more.');
    },
    leave() {
      forget(entry);
      window.location.assign('/');
    },
  });
}

byId('join-form').addEventListener('submit', onCode);
byId('details-form').addEventListener('submit', onDetails);

const code = normalise(main.dataset.code);
const stored = load(keyOf(code || load(LAST) || ''));
if (stored && stored.token) {
  enter(stored);
} else if (code) {
  lookUp(code).then((error) => error && showError(byId('join-error'), error.message));
}
main.dataset.ready = '1';
