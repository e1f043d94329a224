// The phone page, live part: what the current phase asks of the participant, kept current over Socket.IO.

import { io } from '../vendor/socket.io.esm.min.js';
import { byId, h, setText } from './dom.js';
import { renderDraft } from './draft.js';
import { CONNECTION, countdown, phaseText } from './labels.js';
import { Live } from './live.js';
import { currentRound } from './store.js';
import { renderMine, renderProposals, setUpProposeForm } from './phone-proposals.js';
import { renderResults, renderVote } from './phone-vote.js';

const PROPOSING = ['propose', 'discuss', 'refine'];

/** Start the live page for a joined participant ({token, workshop_id, code, title}). */
export function startLive(entry, hooks) {
  let editing = null;
  let draftKey = '';
  const live = new Live({
    auth: { token: entry.token },
    outboxKey: `workshop.outbox.${entry.workshop_id}`,
    on: {
      change: render,
      connection: showConnection,
      failed: (op, error) => notify(`Not sent (${op.label}): ${error.message}`),
      refused: (error) => {
        live.socket?.disconnect();
        hooks.refused(error);
      },
    },
  });

  function notify(message) {
    const notice = byId('notice');
    setText(notice, message);
    notice.hidden = !message;
  }

  function announce(message) {
    setText(byId('announce'), message);
  }

  const ctx = {
    live,
    notify,
    announce,
    get state() {
      return live.state;
    },
    pendingVote(roundId, subject) {
      const op = live.pending('vote.cast').filter((o) => o.payload.round_id === roundId && o.payload.subject === subject).pop();
      return op ? op.payload : null;
    },
    async vote(round, subject, value, label) {
      notify('');
      const reply = await live.send('vote.cast', { round_id: round.id, subject, value }, `Vote: ${label}`);
      if (!reply.ok) notify(reply.error.message);
      render('vote');
    },
    drafts: new Map(),
    feedbackAsked: new Set(),
    draftRanking(key) {
      return this.drafts.has(key) ? this.drafts.get(key) : null;
    },
    setDraftRanking(key, value) {
      this.drafts.set(key, value);
    },
    ensureFeedback(round) {
      // A carried-over rating round's feedback (the group's and my previous ratings) comes with a snapshot.
      if (round.config && round.config.previous_round && !round.feedback && !this.feedbackAsked.has(round.id)) {
        this.feedbackAsked.add(round.id);
        live.resync(true, false);
      }
    },
    async rank(round, ranking) {
      notify('');
      const reply = await live.send('vote.rank', { round_id: round.id, ranking }, 'Ranking');
      if (!reply.ok) notify(reply.error.message);
      else round.my_votes = Object.fromEntries(ranking.map((s, i) => [s, String(i + 1)]));
      this.drafts.delete(`rank-${round.id}`);
      render('vote');
    },
    async dots(round, allocation) {
      notify('');
      const reply = await live.send('vote.dots', { round_id: round.id, allocation }, 'Dots');
      if (!reply.ok) notify(reply.error.message);
      else round.my_votes = Object.fromEntries(Object.entries(allocation).filter(([, n]) => n > 0).map(([s, n]) => [s, String(n)]));
      this.drafts.delete(`dots-${round.id}`);
      render('vote');
    },
    async withdraw(proposal) {
      const reply = await live.send('proposal.withdraw', { proposal_id: proposal.id }, 'Withdraw a proposal');
      if (!reply.ok) notify(reply.error.message);
    },
  };
  const proposeForm = setUpProposeForm(ctx);

  function showConnection(state) {
    const pill = byId('conn');
    pill.hidden = false;
    pill.dataset.state = state;
    setText(pill, CONNECTION[state]);
    render('connection');
  }

  function openEditor(item) {
    editing = { item_id: item.id, base_version: live.state.version.number };
    byId('edit-conflict').hidden = true;
    byId('edit-stem').value = item.stem;
    byId('edit-section').hidden = false;
    byId('edit-stem').focus();
  }

  function closeEditor() {
    editing = null;
    byId('edit-section').hidden = true;
  }

  byId('edit-cancel').addEventListener('click', closeEditor);
  byId('edit-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const stem = byId('edit-stem').value.trim();
    if (!editing || !stem) return;
    const sent = { ...editing };
    const reply = await live.send('item.edit', { ...sent, set: { stem } }, 'Edit of wording');
    if (reply.ok) {
      closeEditor();
      announce(`Saved. The draft is now version ${reply.version}.`);
      return;
    }
    const conflict = byId('edit-conflict');
    if (reply.error.code === 'conflict') {
      const current = reply.error.details.current;
      editing.base_version = current.version;
      conflict.replaceChildren(
        h('strong', {}, 'Someone else changed this question while you were editing. '),
        'Its wording is now: ', h('q', { class: 'current' }, current.item.stem),
        ' Your text is kept below: change it if you still want to, then save again.');
    } else {
      conflict.replaceChildren(reply.error.message);
    }
    conflict.hidden = false;
  });
  byId('leave').addEventListener('click', () => {
    live.socket?.disconnect();
    hooks.leave();
  });

  function draftActions(item) {
    const phase = live.state.workshop?.phase;
    if (phase === 'refine') {
      return [h('button', { type: 'button', onclick: () => openEditor(item) }, 'Edit wording', h('span', { class: 'sr-only' }, `: ${item.stem}`))];
    }
    if (PROPOSING.includes(phase)) {
      return [h('button', { type: 'button', onclick: () => proposeForm.reword(item) }, 'Suggest new wording', h('span', { class: 'sr-only' }, `: ${item.stem}`))];
    }
    return [];
  }

  function render() {
    const state = live.state;
    const ws = state.workshop;
    if (state.removed) {
      hooks.refused({ code: 'not_allowed', message: 'The facilitator has removed you from this workshop.' });
      live.socket?.disconnect();
      return;
    }
    const outbox = byId('outbox');
    outbox.hidden = !live.outbox.length || live.connection === 'connected';
    byId('outbox-list').replaceChildren(...live.outbox.map((op) => h('li', {}, op.label)));
    if (!ws) return;
    setText(byId('w-title'), ws.title);
    const phase = ws.status === 'closed' ? 'closed' : ws.phase;
    const [title, help] = phaseText(phase);
    setText(byId('phase-title'), title);
    setText(byId('phase-help'), help);
    setText(byId('version-label'), state.version ? `Draft version ${state.version.number}` : '');

    const round = currentRound(state);
    const voting = round && round.status === 'open';
    byId('vote-section').hidden = !voting;
    if (voting) {
      const tally = state.tallies.get(round.id);
      setText(byId('vote-help'), tally ? `${tally.voters} ${tally.voters === 1 ? 'person has' : 'people have'} voted so far.` : '');
      renderVote(byId('vote'), round, ctx);
    }
    const revealed = [...state.rounds.values()].filter((r) => r.revealed).sort((a, b) => b.number - a.number)[0];
    byId('results-section').hidden = !revealed || voting || !['results', 'refine', 'closed'].includes(phase);
    if (revealed) renderResults(byId('results'), revealed, state.tallies.get(revealed.id), state);

    byId('propose-section').hidden = !PROPOSING.includes(phase);
    byId('proposals-section').hidden = !['discuss', 'refine', 'results'].includes(phase);
    renderProposals(byId('proposals'), state, ctx);
    const pending = live.pending('proposal.submit');
    byId('mine-section').hidden = !renderMine(byId('mine'), state, pending, ctx);

    byId('draft-section').hidden = false;
    const key = `${state.draftRev}:${phase}`;
    if (key !== draftKey) {
      draftKey = key;
      renderDraft(byId('draft'), state.draft, draftActions);
      proposeForm.refresh(state.draft);
    }
    if (editing && phase !== 'refine') closeEditor();
  }

  setInterval(() => {
    const ends = live.state.workshop?.timer_ends_at;
    const left = countdown(ends);
    const timer = byId('timer');
    timer.hidden = !left;
    if (left) setText(timer, `Time left: ${left}`);
  }, 1000);

  live.start(io);
  return live;
}
