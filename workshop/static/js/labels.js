// Words shown for phases, proposal kinds, votes and connection states.

export const PHASES = {
  review: ['Review the draft', 'Read the current draft. Tap a topic to open it.'],
  propose: ['Propose changes', 'Suggest new questions or better wording. Proposals stay private until the facilitator shows them.'],
  discuss: ['Discuss', 'Read the proposals and comment on them.'],
  vote: ['Vote', 'Vote on each proposal. Your vote is secret; only totals are shown.'],
  results: ['Results', 'The results of the vote.'],
  refine: ['Refine the wording', 'Improve the wording of the questions. Each saved change makes a new draft version.'],
  closed: ['Finished', 'This part of the workshop is over. Thank you for taking part.'],
};

export const CHOICES = [
  ['agree', 'Agree'],
  ['disagree', 'Disagree'],
  ['abstain', 'Abstain'],
];

export const STATUS = {
  open: 'Open',
  accepted: 'Accepted',
  rejected: 'Not accepted',
  merged: 'Merged with another',
  withdrawn: 'Withdrawn',
};

export const CONNECTION = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
};

/** Return the title and help of a phase. */
export function phaseText(phase) {
  return PHASES[phase] || [phase || '…', ''];
}

/** Return a stakeholder group's label. */
export function groupLabel(groups, id) {
  if (!id || id === 'none') return 'No group given';
  const found = (groups || []).find((g) => g.id === id);
  return found ? found.label : id;
}

/** Return {stem, topic} of an item in a draft, or null. */
export function findItem(draft, itemId) {
  for (const d of draft?.domains || []) {
    for (const t of d.topics) {
      const item = t.items.find((i) => i.id === itemId);
      if (item) return { item, topic: t, domain: d };
    }
  }
  return null;
}

/** Return a topic's title. */
export function topicTitle(draft, topicId) {
  for (const d of draft?.domains || []) for (const t of d.topics) if (t.id === topicId) return t.title;
  return '';
}

/** Describe a proposal in one line plus the wording it proposes: {what, text}. */
export function describe(proposal, draft) {
  const p = proposal.payload || {};
  const current = p.item_id ? findItem(draft, p.item_id) : null;
  const stem = current ? current.item.stem : 'a question no longer in the draft';
  switch (proposal.kind) {
    case 'add_item': return { what: `New question in “${topicTitle(draft, p.topic_id)}”`, text: p.stem };
    case 'reword': return { what: 'New wording', text: p.stem, was: stem };
    case 'change_help': return { what: 'New help text', text: p.help, was: stem };
    case 'change_type': return { what: `Answer type: ${p.response_type}`, text: stem };
    case 'change_options': return { what: 'New answer options', text: stem };
    case 'move': return { what: `Move to “${topicTitle(draft, p.topic_id)}”`, text: stem };
    case 'remove': return { what: 'Remove the question', text: stem };
    case 'merge': return { what: 'Merge two questions', text: p.stem || stem };
    default: return { what: proposal.kind, text: '' };
  }
}

/** Return "mm:ss" (or "h:mm:ss") until an ISO time, or null when there is none or it passed. */
export function countdown(endsAt, now = Date.now()) {
  if (!endsAt) return null;
  const left = Math.max(0, Math.round((Date.parse(endsAt) - now) / 1000));
  const s = String(left % 60).padStart(2, '0');
  const m = Math.floor(left / 60) % 60;
  const hours = Math.floor(left / 3600);
  return hours ? `${hours}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** Return the text of a round's subject: a proposal's wording or a question's stem. */
export function subjectText(state, subject) {
  const [kind, id] = subject.split(':');
  if (kind === 'proposal') {
    const proposal = state.proposals.get(Number(id));
    return proposal ? `#${proposal.id} ${describe(proposal, state.draft).text}` : `Proposal #${id}`;
  }
  const found = findItem(state.draft, id);
  return found ? found.item.stem : subject;
}
