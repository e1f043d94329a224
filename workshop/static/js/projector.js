// The projector: join details, phase, timer, how many joined, revealed results, new versions. Read-only.

import { io } from '../vendor/socket.io.esm.min.js';
import { voteChart } from './chart.js';
import { byId, h, setText } from './dom.js';
import { CONNECTION, countdown, describe, phaseText, subjectText } from './labels.js';
import { Live } from './live.js';

const workshopId = Number(byId('main').dataset.workshopId);
let lastVersion = null;
// What the room is asked to do, in words for a screen (the phones have their own).
const ROOM = {
  review: 'Open the draft on your phone and read it through.',
  propose: 'On your phone, propose new questions or better wording. Proposals stay private until they are shown.',
  discuss: 'The proposals are on your phones: discuss them and add comments.',
  vote: 'Vote on your phone. Votes are secret: only totals are ever shown.',
  results: 'The results of the vote.',
  refine: 'Improve the wording together; every saved change makes a new draft version.',
};
let resultsKey = '';

const live = new Live({
  auth: { workshop_id: workshopId, view: 'projector' },
  on: {
    change: render,
    connection(state) {
      const pill = byId('conn');
      pill.dataset.state = state;
      setText(pill, CONNECTION[state]);
    },
    refused: (error) => setText(byId('phase-help'), `Cannot connect: ${error.message}`),
  },
});

function announceVersion(version) {
  const box = byId('announce');
  const why = version.proposal_id ? ` (accepted proposal #${version.proposal_id})` : version.note ? ` (${version.note})` : '';
  box.replaceChildren(h('span', {}, `New draft: version ${version.number}${why}`));
  box.hidden = false;
}

function renderResults(state) {
  const revealed = [...state.rounds.values()].filter((r) => r.revealed).sort((a, b) => b.number - a.number)[0];
  const section = byId('results');
  const tally = revealed && state.tallies.get(revealed.id);
  const show = Boolean(tally && tally.subjects) && ['results', 'vote', 'refine'].includes(state.workshop.phase);
  section.hidden = !show;
  if (!show) return;
  const key = JSON.stringify([revealed.id, tally, state.version?.number]);
  if (key === resultsKey) return;
  resultsKey = key;
  const heading = h('h2', {}, `Results of vote ${revealed.number} (${tally.voters} voted)`);
  if (revealed.kind !== 'proposal_vote') {
    const decisions = tally.decisions || {};
    section.replaceChildren(heading, h('ul', {}, revealed.subjects.map((subject) =>
      h('li', {}, subjectText(state, subject), decisions[subject] ? ` — ${decisions[subject].replace('_', ' ')}` : ''))));
    return;
  }
  section.replaceChildren(heading,
    ...revealed.subjects.map((subject) => {
      const proposal = state.proposals.get(Number(subject.split(':')[1]));
      const text = proposal ? describe(proposal, state.draft) : { what: subject, text: '' };
      return h('div', { class: 'result' }, h('h3', {}, text.text || text.what), voteChart(tally.subjects[subject] || {}));
    }));
}

function render(reason) {
  const state = live.state;
  const ws = state.workshop;
  if (!ws) return;
  const phase = ws.status === 'closed' ? 'closed' : ws.phase;
  const [title, phoneHelp] = phaseText(phase);
  const help = ROOM[phase] || phoneHelp;
  setText(byId('w-title'), ws.title);
  setText(byId('phase-title'), title);
  setText(byId('phase-help'), help);
  setText(byId('joined'), String(state.participants.total));
  setText(byId('joined-label'), state.participants.total === 1 ? 'person has joined' : 'people have joined');
  document.body.classList.toggle('compact', !['review', 'propose'].includes(phase));
  const number = state.version?.number;
  if (lastVersion !== null && number > lastVersion && (reason === 'version' || reason === 'sync')) announceVersion(state.version);
  if (number) lastVersion = number;
  renderResults(state);
  const list = byId('proposals');
  const discussed = [...state.proposals.values()].filter((p) => p.payload && p.status === 'open');
  list.hidden = phase !== 'discuss' || !discussed.length;
  list.replaceChildren(...discussed.map((p) => h('li', {}, describe(p, state.draft).text)));
}

setInterval(() => {
  const left = countdown(live.state.workshop?.timer_ends_at);
  byId('timer').hidden = !left;
  if (left) setText(byId('timer'), left);
}, 1000);
live.start(io);
byId('main').dataset.ready = '1';
