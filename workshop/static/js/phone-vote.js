// Voting on the phone, one renderer per round kind, and revealed results.
// Rating, ranking and dots rounds live in phone-rounds.js; the page shows a notice for unknown kinds.

import { h, setText } from './dom.js';
import { voteChart } from './chart.js';
import { CHOICES, describe, subjectText } from './labels.js';
import { ROUND_RENDERERS } from './phone-rounds.js';

/** proposal_vote: agree / disagree / abstain on each proposal, changeable while the round is open. */
function proposalVote(container, round, ctx) {
  if (container.dataset.round !== String(round.id)) {
    container.dataset.round = String(round.id);
    container.replaceChildren(...round.subjects.map((subject) => {
      const proposal = ctx.state.proposals.get(Number(subject.split(':')[1]));
      const text = proposal ? describe(proposal, ctx.state.draft) : { what: 'Proposal', text: '' };
      const headingId = `vote-${subject.replace(':', '-')}`;
      return h('article', { class: 'card', 'data-subject': subject, 'aria-labelledby': headingId },
        h('h3', { id: headingId }, text.what),
        h('blockquote', {}, text.text),
        text.was ? h('p', { class: 'muted' }, `Now: ${text.was}`) : null,
        h('div', { class: 'votes', role: 'group', 'aria-labelledby': headingId },
          CHOICES.map(([value, label]) => h('button', {
            type: 'button',
            'data-value': value,
            'aria-pressed': 'false',
            onclick: () => ctx.vote(round, subject, value, label),
          }, label))),
        h('p', { class: 'voted', 'aria-live': 'polite' }));
    }));
  }
  for (const card of container.querySelectorAll('[data-subject]')) {
    const subject = card.dataset.subject;
    const pending = ctx.pendingVote(round.id, subject);
    const chosen = pending ? pending.value : (round.my_votes || {})[subject];
    for (const button of card.querySelectorAll('button')) {
      button.setAttribute('aria-pressed', String(button.dataset.value === chosen));
      button.disabled = round.status !== 'open';
    }
    const label = CHOICES.find(([v]) => v === chosen)?.[1];
    let status = 'Not voted yet.';
    if (pending) status = `Your vote: ${label} (waiting to send)`;
    else if (label) status = `Your vote: ${label}. You can change it until voting closes.`;
    setText(card.querySelector('.voted'), status);
  }
}

const RENDERERS = { proposal_vote: proposalVote, ...ROUND_RENDERERS };

/** Render the open round's voting cards (or say that this kind of round needs a newer page). */
export function renderVote(container, round, ctx) {
  const renderer = RENDERERS[round.kind];
  if (!renderer) {
    container.dataset.round = '';
    container.replaceChildren(h('p', {}, 'This kind of vote needs a newer version of this page. Please reload.'));
    return;
  }
  renderer(container, round, ctx);
}

/** Render the results of a revealed round: one chart per proposal, with counts in words. */
export function renderResults(container, round, tally, state) {
  if (!tally || !tally.subjects) {
    container.replaceChildren(h('p', { class: 'muted' }, 'Results will appear here when the facilitator shows them.'));
    return;
  }
  const voted = h('p', {}, `Vote ${round.number}: ${tally.voters} ${tally.voters === 1 ? 'person' : 'people'} voted.`);
  if (round.kind !== 'proposal_vote') {
    const decisions = tally.decisions || {};
    container.replaceChildren(voted, h('ul', {}, round.subjects.map((subject) =>
      h('li', {}, subjectText(state, subject), decisions[subject] ? ` — ${decisions[subject].replace('_', ' ')}` : ''))));
    return;
  }
  container.replaceChildren(
    voted,
    ...round.subjects.map((subject) => {
      const proposal = state.proposals.get(Number(subject.split(':')[1]));
      const text = proposal ? describe(proposal, state.draft) : { what: 'Proposal', text: '' };
      return h('div', { class: 'result' }, h('h3', {}, text.what), h('p', {}, text.text), voteChart(tally.subjects[subject] || {}));
    }),
  );
}
