// The facilitator's live control page: phases, timer, participants, proposals, voting, the draft.

import { io } from '../vendor/socket.io.esm.min.js';
import { voteChart } from './chart.js';
import { renderProposals, setUpProxyProposals } from './console-proposals.js';
import { byId, h, setText } from './dom.js';
import { refillSelect, renderDraft } from './draft.js';
import { CHOICES, CONNECTION, countdown, groupLabel, phaseText, subjectText } from './labels.js';
import { Live } from './live.js';
import { currentRound } from './store.js';

const workshopId = Number(byId('main').dataset.workshopId);
let editing = null;
let draftKey = '';
let peopleKey = '';

const live = new Live({
  auth: { workshop_id: workshopId },
  outboxKey: `workshop.console.outbox.${workshopId}`,
  on: {
    change() {
      render();
    },
    connection(state) {
      const pill = byId('conn');
      pill.dataset.state = state;
      setText(pill, CONNECTION[state]);
    },
    failed: (op, error) => notify(`${op.label}: ${error.message}`),
    refused: (error) => notify(`Cannot connect: ${error.message}. Reload the page, or log in again.`),
  },
});

function notify(message) {
  const notice = byId('notice');
  setText(notice, message);
  notice.hidden = !message;
}

/** Send a facilitator action; show its error if refused. */
async function act(name, payload, label) {
  notify('');
  const reply = await live.send(name, payload, label);
  if (!reply.ok) notify(`${label}: ${reply.error.message}`);
  return reply;
}

const proxyProposals = setUpProxyProposals(act);

for (const button of byId('phase-buttons').querySelectorAll('button')) {
  button.addEventListener('click', () => act('phase.set', { phase: button.dataset.phase }, 'Change phase'));
}
byId('timer-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const minutes = Number(byId('timer-min').value);
  if (minutes > 0) act('timer.set', { seconds: Math.round(minutes * 60) }, 'Start the timer');
});
byId('timer-stop').addEventListener('click', () => act('timer.set', { seconds: 0 }, 'Stop the timer'));
byId('status-toggle').addEventListener('click', () => {
  const open = live.state.workshop?.status === 'open';
  act('workshop.status', { status: open ? 'closed' : 'open' }, open ? 'Close the workshop' : 'Reopen the workshop');
});
byId('proxy-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  const reply = await act('proxy.add', { display_name: form.elements.display_name.value.trim(), group: form.elements.group.value || null }, 'Add participant');
  if (reply.ok) form.reset();
});
byId('open-round').addEventListener('click', () => act('round.open', { kind: 'proposal_vote' }, 'Open a vote'));
byId('close-round').addEventListener('click', () => act('round.close', { round_id: currentRound(live.state).id }, 'Close voting'));
byId('reveal-round').addEventListener('click', () => act('round.reveal', { round_id: currentRound(live.state).id }, 'Show results'));
byId('reveal-all').addEventListener('click', () => act('proposals.reveal', {}, 'Reveal proposals'));
byId('decide-round').addEventListener('click', () => act('round.decide', { round_id: currentRound(live.state).id }, 'Apply the rule'));
byId('method-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const f = event.target.elements;
  const kind = f.kind.value;
  const payload = { kind };
  if (kind === 'rating') {
    payload.scale = f.scale.value;
    payload.rule = { include_top_min_pct: Number(f.include.value), include_bottom_max_pct: Number(f.cap.value), exclude_bottom_min_pct: Number(f.exclude.value) };
    payload.min_group_size = Number(f.min_group.value);
    if (f.carry.checked) {
      const last = [...live.state.rounds.values()].filter((r) => r.kind === 'rating').sort((a, b) => b.number - a.number)[0];
      if (last) payload.carry_over_from = last.id;
    }
  } else if (kind === 'ranking') payload.n = Number(f.n.value);
  else { payload.budget = Number(f.budget.value); payload.cap = Number(f.dotcap.value); }
  act('round.open', payload, 'Open a round');
});
byId('edit-cancel').addEventListener('click', () => {
  editing = null;
  byId('edit-form').hidden = true;
});
byId('edit-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const stem = byId('edit-stem').value.trim();
  const reply = await live.send('item.edit', { ...editing, set: { stem } }, 'Edit wording');
  const conflict = byId('edit-conflict');
  if (reply.ok) {
    editing = null;
    byId('edit-form').hidden = true;
    setText(byId('announce'), `Saved as version ${reply.version}.`);
  } else if (reply.error.code === 'conflict') {
    editing.base_version = reply.error.details.current.version;
    conflict.replaceChildren('Changed by someone else meanwhile. It now reads: ', h('q', {}, reply.error.details.current.item.stem), ' Save again to replace it.');
    conflict.hidden = false;
  } else {
    conflict.replaceChildren(reply.error.message);
    conflict.hidden = false;
  }
});

function openEditor(item) {
  editing = { item_id: item.id, base_version: live.state.version.number };
  byId('edit-conflict').hidden = true;
  byId('edit-stem').value = item.stem;
  byId('edit-form').hidden = false;
  byId('edit-stem').focus();
}

function renderPeople(state) {
  const ws = state.workshop;
  setText(byId('count'), String(state.participants.total));
  byId('by-group').replaceChildren(...Object.entries(state.participants.by_group)
    .map(([group, n]) => h('li', {}, `${groupLabel(ws.groups, group)}: ${n}`)));
  // Rebuilt only when someone joins or leaves (or the groups change), not with every tally: a list rebuilt
  // under the pointer or the keyboard focus would lose the click on its Remove button.
  const key = `${state.peopleRev}:${JSON.stringify(ws.groups)}`;
  if (key === peopleKey) return;
  peopleKey = key;
  byId('people').replaceChildren(...state.people.filter((p) => !p.removed).map((p) => h('li', {},
    h('span', {}, p.display_name || 'anonymous', ` (${p.pseudonym}, ${groupLabel(ws.groups, p.group)})`, p.proxy ? ' · no phone' : ''),
    h('button', { type: 'button', class: 'danger', onclick: () => act('participant.remove', { participant_id: p.id }, 'Remove participant') },
      'Remove', h('span', { class: 'sr-only' }, ` ${p.display_name || p.pseudonym}`)))));
  refillSelect(byId('proxy-group'), [h('option', { value: '' }, 'No group'), ...ws.groups.map((g) => h('option', { value: g.id }, g.label))]);
}

/** A row for entering the vote of a participant without a phone. */
function proxyVote(round, subject, proxies) {
  const id = `pv-${subject.replace(':', '-')}`;
  const who = h('select', { id }, proxies.map((p) => h('option', { value: p.id }, p.display_name || p.pseudonym)));
  return h('div', { class: 'row' }, h('label', { for: id }, 'Vote for'), who, CHOICES.map(([value, label]) =>
    h('button', {
      type: 'button',
      onclick: () => act('vote.cast', { round_id: round.id, subject, value, proxy_participant_id: Number(who.value) }, 'Proxy vote'),
    }, label, h('span', { class: 'sr-only' }, ` on ${subject.replace(':', ' ')}`))));
}

function renderRound(state) {
  const round = currentRound(state);
  const tallyBox = byId('tally');
  byId('close-round').disabled = !round || round.status !== 'open';
  byId('reveal-round').disabled = !round || round.revealed;
  byId('decide-round').hidden = !round || round.kind !== 'rating';
  if (!round) {
    setText(byId('round-status'), 'No vote yet. Reveal proposals, then open a vote on them.');
    tallyBox.replaceChildren();
    return;
  }
  const tally = state.tallies.get(round.id) || { voters: 0, subjects: {} };
  setText(byId('round-status'), `Vote ${round.number}: ${round.status === 'open' ? 'open' : 'closed'}, results ${round.revealed ? 'shown to everyone' : 'not shown yet'}. ${tally.voters} voted.`);
  if (tallyBox.dataset.round !== String(round.id)) {
    tallyBox.dataset.round = String(round.id);
    tallyBox.replaceChildren(...round.subjects.map((subject) => h('div', { class: 'result', 'data-subject': subject },
      h('h3', {}), h('p', { class: 'counts' }), h('div', { class: 'chart-box' }), h('div', { class: 'proxy-vote' }))));
  }
  const proxies = state.people.filter((p) => p.proxy && !p.removed);
  const proxyKey = `${round.id}:${round.status}:${proxies.map((p) => p.id).join(',')}`;
  if (tallyBox.dataset.proxies !== proxyKey && round.kind === 'proposal_vote') {
    tallyBox.dataset.proxies = proxyKey;
    for (const block of tallyBox.querySelectorAll('[data-subject]')) {
      block.querySelector('.proxy-vote').replaceChildren(...(round.status === 'open' && proxies.length ? [proxyVote(round, block.dataset.subject, proxies)] : []));
    }
  }
  for (const block of tallyBox.querySelectorAll('[data-subject]')) {
    const subject = block.dataset.subject;
    const counts = (tally.subjects || {})[subject] || {};
    setText(block.querySelector('h3'), subjectText(state, subject));
    if (round.kind !== 'proposal_vote') {
      setText(block.querySelector('.counts'), figuresText(round, tally, subject));
      continue;
    }
    const line = CHOICES.map(([key, label]) => `${label} ${counts[key] || 0}`).join(' · ');
    if (block.querySelector('.counts').textContent !== line) {
      setText(block.querySelector('.counts'), line);
      block.querySelector('.chart-box').replaceChildren(voteChart(counts));
    }
  }
}

/** One line of live figures for a rating, ranking or dots subject (aggregates only). */
function figuresText(round, tally, subject) {
  if (round.kind === 'rating') {
    const stats = (tally.subjects || {})[subject];
    if (!stats) return '';
    const o = stats.overall;
    const high = o.bands.high.pct == null ? '-' : `${Math.round(o.bands.high.pct)}%`;
    const low = o.bands.low.pct == null ? '-' : `${Math.round(o.bands.low.pct)}%`;
    const decision = ((tally.decisions || {})[subject] || '').replace('_', ' ');
    return `n ${o.n} (unable ${o.unable}) · top band ${high} · bottom band ${low} · median ${o.median ?? '-'} · ${decision}`;
  }
  const row = (tally.results || []).find((r) => r.subject === subject);
  if (!row) return '';
  const amount = round.kind === 'ranking' ? `${row.score} points` : `${row.dots} dots`;
  return `${amount} · rank ${row.rank}${row.tied ? ' (tie)' : ''}`;
}

function render() {
  const state = live.state;
  const ws = state.workshop;
  if (!ws) return;
  setText(byId('w-title'), ws.title);
  for (const button of byId('phase-buttons').querySelectorAll('button')) {
    button.setAttribute('aria-pressed', String(button.dataset.phase === ws.phase));
  }
  setText(byId('phase-help'), `Phones show: ${phaseText(ws.phase).join('. ')}`);
  setText(byId('status-toggle'), ws.status === 'open' ? 'Close the workshop' : 'Reopen the workshop');
  setText(byId('version-label'), state.version ? `Draft version ${state.version.number}` : '');
  setText(byId('hidden-count'), state.hidden ? `${state.hidden} proposal${state.hidden === 1 ? '' : 's'} not revealed yet.` : 'No hidden proposals.');
  byId('reveal-all').disabled = !state.hidden;
  renderPeople(state);
  renderRound(state);
  renderProposals(byId('proposals'), state, act);
  const key = String(state.draftRev);
  if (key !== draftKey) {
    draftKey = key;
    renderDraft(byId('draft'), state.draft, (item) => [h('button', { type: 'button', onclick: () => openEditor(item) },
      'Edit wording', h('span', { class: 'sr-only' }, `: ${item.stem}`))]);
  }
  proxyProposals.refresh(state);
}

setInterval(() => setText(byId('timer'), countdown(live.state.workshop?.timer_ends_at) || 'no timer'), 1000);
live.start(io);
byId('main').dataset.ready = '1';
