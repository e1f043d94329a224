// Proposals on the phone: the propose form, everyone's revealed proposals with comments, and my own.

import { byId, h } from './dom.js';
import { itemOptions, refillSelect, topicOptions } from './draft.js';
import { STATUS, describe } from './labels.js';

/** Wire the propose form; ctx.live sends, ctx.notify reports. */
export function setUpProposeForm(ctx) {
  const form = byId('propose-form');
  const kindChanged = () => {
    const reword = form.elements.kind.value === 'reword';
    byId('p-topic').hidden = byId('p-topic-label').hidden = reword;
    byId('p-item').hidden = byId('p-item-label').hidden = !reword;
  };
  for (const radio of form.elements.kind) radio.addEventListener('change', kindChanged);
  byId('p-item').addEventListener('change', () => {
    const stem = byId('p-stem');
    if (!stem.value.trim()) stem.value = byId('p-item').selectedOptions[0]?.textContent || '';
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const kind = form.elements.kind.value;
    const stem = byId('p-stem').value.trim();
    const rationale = byId('p-rationale').value.trim();
    if (!stem) {
      ctx.notify('Write the wording of the question first.');
      byId('p-stem').focus();
      return;
    }
    const change = kind === 'reword' ? { item_id: byId('p-item').value, stem } : { topic_id: byId('p-topic').value, stem };
    form.reset();
    kindChanged();
    ctx.announce('Proposal sent.');
    const reply = await ctx.live.send('proposal.submit', { kind, change, rationale }, `Proposal: ${stem.slice(0, 60)}`);
    if (!reply.ok) {
      byId('p-stem').value = stem;
      byId('p-rationale').value = rationale;
      ctx.notify(reply.error.message);
    }
  });
  return {
    /** Refresh the topic and item lists from the draft. */
    refresh(draft) {
      refillSelect(byId('p-topic'), topicOptions(draft));
      refillSelect(byId('p-item'), itemOptions(draft));
    },
    /** Start a rewording of this item. */
    reword(item) {
      form.elements.kind.value = 'reword';
      kindChanged();
      byId('p-item').value = item.id;
      byId('p-stem').value = item.stem;
      byId('p-stem').focus();
    },
  };
}

function commentForm(proposal, ctx) {
  const id = `c-${proposal.id}`;
  const area = h('textarea', { id, rows: 2, maxlength: 1000, required: true });
  return h('details', { class: 'comment' },
    h('summary', {}, 'Add a comment'),
    h('form', {
      class: 'stack',
      onsubmit: async (event) => {
        event.preventDefault();
        const body = area.value.trim();
        if (!body) return;
        area.value = '';
        const reply = await ctx.live.send('comment.add', { proposal_id: proposal.id, body }, `Comment: ${body.slice(0, 40)}`);
        if (!reply.ok) {
          area.value = body;
          ctx.notify(reply.error.message);
        }
      },
    }, h('label', { for: id }, 'Your comment'), area, h('button', { type: 'submit' }, 'Send comment')));
}

/** Render revealed proposals as cards, keyed by id, so a comment being typed survives updates. */
export function renderProposals(list, state, ctx) {
  const shown = [...state.proposals.values()]
    .filter((p) => p.payload && (p.status === 'open' || p.status === 'accepted') && p.shown !== false)
    .sort((a, b) => a.id - b.id);
  const cards = new Map([...list.children].map((li) => [li.dataset.id, li]));
  const ordered = shown.map((p) => {
    let li = cards.get(String(p.id));
    if (!li) {
      li = h('li', { class: 'proposal', 'data-id': p.id }, h('div', { class: 'body' }), commentForm(p, ctx));
    }
    const text = describe(p, state.draft);
    li.querySelector('.body').replaceChildren(
      h('p', { class: 'what' }, text.what, ' ', h('span', { class: `tag ${p.status}` }, STATUS[p.status] || p.status),
        p.mine ? h('span', { class: 'tag' }, 'Yours') : null),
      h('blockquote', {}, text.text),
      text.was ? h('p', { class: 'muted' }, `Now: ${text.was}`) : null,
      p.rationale ? h('p', {}, h('strong', {}, 'Why: '), p.rationale) : null,
      p.author_name ? h('p', { class: 'muted' }, `From ${p.author_name}`) : null,
      p.comments.length
        ? h('ul', { class: 'comments' }, p.comments.map((c) => h('li', {}, c.by === 'facilitator' ? 'Facilitator: ' : '', c.body)))
        : null,
    );
    li.querySelector('details.comment').hidden = p.status !== 'open';
    return li;
  });
  list.replaceChildren(...ordered);
  if (!ordered.length) list.replaceChildren(h('li', { class: 'muted' }, 'No proposals to discuss yet.'));
}

function myStatus(p, phase) {
  if (p.status === 'accepted') return p.decided_version ? `Accepted: in draft version ${p.decided_version}` : 'Accepted';
  if (p.status !== 'open') return STATUS[p.status] || p.status;
  const shown = p.shown ?? phase !== 'propose';
  return shown ? 'Shown to the group' : 'Sent; the group sees it when the facilitator reveals proposals';
}

/** Render my proposals with their status, and those still waiting to be sent. */
export function renderMine(list, state, pending, ctx) {
  const mine = [...state.proposals.values()].filter((p) => p.mine).sort((a, b) => a.id - b.id);
  list.replaceChildren(
    ...pending.map((op) => h('li', { class: 'card' }, h('span', { class: 'tag pending' }, 'Waiting to send'), ' ', op.payload.change.stem || op.label)),
    ...mine.map((p) => {
      const text = describe(p, state.draft);
      return h('li', { class: 'card', 'data-id': p.id },
        h('p', { class: 'what' }, text.what), h('blockquote', {}, text.text),
        h('p', {}, h('span', { class: `tag ${p.status}` }, myStatus(p, state.workshop.phase))),
        p.status === 'open'
          ? h('button', { type: 'button', class: 'quiet', onclick: () => ctx.withdraw(p) }, 'Withdraw this proposal')
          : null);
    }),
  );
  return mine.length + pending.length;
}
