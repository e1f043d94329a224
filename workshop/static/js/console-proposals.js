// The console's proposal moderation: reveal, hide, edit, merge, accept, reject, and proxy entry.

import { byId, h } from './dom.js';
import { itemOptions, refillSelect, topicOptions } from './draft.js';
import { STATUS, describe } from './labels.js';

function editForm(p, act, close) {
  const id = `pe-${p.id}`;
  const stem = h('textarea', { id, rows: 3, maxlength: 2000 });
  stem.value = p.payload.stem || '';
  const why = h('textarea', { id: `${id}-why`, rows: 2, maxlength: 2000 });
  why.value = p.rationale || '';
  return h('form', {
    class: 'stack editor',
    onsubmit: async (event) => {
      event.preventDefault();
      const reply = await act('proposal.edit', { proposal_id: p.id, change: { ...p.payload, stem: stem.value.trim() }, rationale: why.value.trim() }, 'Edit proposal');
      if (reply.ok) close();
    },
  }, h('label', { for: id }, 'Wording'), stem, h('label', { for: `${id}-why` }, 'Why'), why,
  h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, 'Save proposal'), h('button', { type: 'button', onclick: close }, 'Cancel')));
}

function actions(p, state, act, card) {
  const open = p.status === 'open';
  const others = [...state.proposals.values()].filter((o) => o.id !== p.id && o.status === 'open');
  const name = `#${p.id}`;
  const button = (label, onclick, cls) => h('button', { type: 'button', class: cls, onclick }, label, h('span', { class: 'sr-only' }, ` proposal ${name}`));
  const merge = h('select', { 'aria-label': `Merge proposal ${name} into` }, others.map((o) => h('option', { value: o.id }, `#${o.id}`)));
  return h('div', { class: 'buttons' },
    open && !p.revealed ? button('Reveal', () => act('proposals.reveal', { proposal_ids: [p.id] }, 'Reveal')) : null,
    open ? button(p.hidden ? 'Show again' : 'Hide', () => act('proposal.hide', { proposal_id: p.id, hidden: !p.hidden }, 'Hide')) : null,
    open && p.payload.stem !== undefined ? button('Edit', () => card.querySelector('.edit').replaceChildren(
      editForm(p, act, () => card.querySelector('.edit').replaceChildren()))) : null,
    open && others.length ? h('span', { class: 'merge' }, merge,
      button('Merge', () => act('proposal.merge', { proposal_id: p.id, into_id: Number(merge.value) }, 'Merge'))) : null,
    open ? button('Accept', () => act('proposal.accept', { proposal_id: p.id }, 'Accept'), 'primary') : null,
    open ? button('Reject', () => act('proposal.reject', { proposal_id: p.id }, 'Reject'), 'danger') : null);
}

function who(p) {
  if (p.proxy) return `entered by the facilitator${p.author ? ` for ${p.author.display_name || p.author.pseudonym}` : ''}`;
  return p.author ? `${p.author.display_name || 'anonymous'} (${p.author.pseudonym})` : 'facilitator';
}

/** Render every proposal, keyed by id; the action buttons are rebuilt only when what they can do changes. */
export function renderProposals(list, state, act) {
  const cards = new Map([...list.children].map((li) => [li.dataset.id, li]));
  const openIds = [...state.proposals.values()].filter((o) => o.status === 'open').map((o) => o.id).join(',');
  const ordered = [...state.proposals.values()].sort((a, b) => a.id - b.id).map((p) => {
    let li = cards.get(String(p.id));
    if (!li) li = h('li', { 'data-id': p.id }, h('div', { class: 'body' }), h('div', { class: 'acts' }), h('div', { class: 'edit' }));
    li.className = p.hidden || !p.revealed ? 'is-hidden' : '';
    const text = describe(p, state.draft);
    const flags = [
      h('span', { class: `tag ${p.status}` }, STATUS[p.status] || p.status),
      !p.revealed ? h('span', { class: 'tag' }, 'Not revealed') : null,
      p.hidden ? h('span', { class: 'tag' }, 'Hidden') : null,
      p.proxy ? h('span', { class: 'tag' }, 'Proxy') : null,
      p.edited ? h('span', { class: 'tag' }, 'Edited') : null,
      p.merged_into ? h('span', { class: 'tag' }, `Merged into #${p.merged_into}`) : null,
    ];
    li.querySelector('.body').replaceChildren(
      h('p', { class: 'what' }, `#${p.id} ${text.what} `, flags),
      h('blockquote', {}, text.text),
      text.was ? h('p', { class: 'muted' }, `Now: ${text.was}`) : null,
      p.rationale ? h('p', {}, h('strong', {}, 'Why: '), p.rationale) : null,
      h('p', { class: 'meta' }, `From ${who(p)}`),
      p.comments.length ? h('ul', {}, p.comments.map((c) => h('li', {}, c.by === 'facilitator' ? 'Facilitator: ' : '', c.body))) : null);
    const signature = `${p.status}|${p.revealed}|${p.hidden}|${openIds}`;
    if (li.dataset.sig !== signature) {
      li.dataset.sig = signature;
      li.querySelector('.acts').replaceChildren(actions(p, state, act, li));
    }
    return li;
  });
  list.replaceChildren(...ordered);
  if (!ordered.length) list.replaceChildren(h('li', { class: 'muted' }, 'No proposals yet.'));
}

/** Wire the form that enters a proposal for a participant without a phone. */
export function setUpProxyProposals(act) {
  const form = byId('proxy-proposal-form');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const stem = String(data.get('stem')).trim();
    const itemId = String(data.get('item_id') || '');
    const payload = itemId
      ? { kind: 'reword', change: { item_id: itemId, stem } }
      : { kind: 'add_item', change: { topic_id: String(data.get('topic_id')), stem } };
    payload.rationale = String(data.get('rationale') || '').trim();
    const who = Number(data.get('proxy_participant_id'));
    if (who) payload.proxy_participant_id = who;
    const reply = await act('proposal.submit', payload, 'Proxy proposal');
    if (reply.ok) form.reset();
  });
  return {
    /** Refresh the participant, item and topic lists. */
    refresh(state) {
      const proxies = state.people.filter((p) => p.proxy && !p.removed);
      refillSelect(byId('pp-who'), [h('option', { value: '' }, 'No one in particular'),
        ...proxies.map((p) => h('option', { value: p.id }, p.display_name || p.pseudonym))]);
      refillSelect(byId('pp-item'), itemOptions(state.draft, '— a new question —'));
      refillSelect(byId('pp-topic'), topicOptions(state.draft));
    },
  };
}
