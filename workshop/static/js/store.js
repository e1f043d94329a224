// The live state of one workshop as a client sees it, built from a snapshot and numbered events.

/** Return an empty state. */
export function emptyState() {
  return {
    seq: 0,
    role: null,
    workshop: null,
    version: null,
    participants: { total: 0, by_group: {} },
    hidden: 0,
    proposals: new Map(),
    rounds: new Map(),
    tallies: new Map(),
    draft: null,
    draftRev: 0,
    me: null,
    people: [],
    peopleRev: 0,
    removed: false,
  };
}

/** Replace the state with a snapshot (see docs/protocol.md). */
export function applySnapshot(state, snap) {
  state.seq = snap.seq;
  state.role = snap.role;
  state.workshop = snap.workshop;
  state.version = snap.version;
  applyParticipants(state, snap.participants);
  state.hidden = snap.hidden_proposals || 0;
  state.proposals = new Map(snap.proposals.map((p) => [p.id, p]));
  state.rounds = new Map();
  state.tallies = new Map();
  for (const r of snap.rounds) {
    const { tally, ...round } = r;
    state.rounds.set(r.id, round);
    if (tally) state.tallies.set(r.id, tally);
  }
  if (snap.draft) {
    state.draft = snap.draft;
    state.draftRev += 1;
  }
  state.me = snap.me || null;
}

/** Take the counts of participants (and, for facilitators, the list of people) as they are now. */
export function applyParticipants(state, participants) {
  const { people, ...counts } = participants;
  state.participants = counts;
  if (people) {
    state.people = people;
    state.peopleRev += 1;
  }
}

/** Apply one numbered event; return true when the draft must be fetched again. */
export function applyEvent(state, message) {
  const { name, data } = message;
  state.seq = message.seq;
  switch (name) {
    case 'workshop':
      state.workshop = data;
      break;
    case 'removed':
      if (state.me && state.me.id === data.participant_id) state.removed = true;
      for (const p of state.people) if (p.id === data.participant_id) p.removed = true;
      state.peopleRev += 1;
      break;
    case 'proposal': {
      const known = state.proposals.get(data.id);
      if (data.visible === false) {
        // Hidden from participants: keep our own copy of our own proposal, forget anyone else's.
        if (!known) state.hidden += 1;
        else if (!known.mine) state.proposals.delete(data.id);
        else known.shown = false;
      } else {
        if (!known && state.hidden > 0 && state.role !== 'facilitator') state.hidden -= 1;
        state.proposals.set(data.id, { ...data, mine: known ? known.mine : false, shown: true });
      }
      if (state.role === 'facilitator') {
        state.hidden = [...state.proposals.values()].filter((p) => !p.revealed && p.status === 'open').length;
      }
      break;
    }
    case 'round': {
      const { results, ...round } = data;
      const known = state.rounds.get(data.id);
      state.rounds.set(data.id, { ...round, my_votes: known ? known.my_votes : {} });
      if (results) state.tallies.set(data.id, results);
      break;
    }
    case 'version':
      state.version = data;
      return true;
    default:
      break;
  }
  return false;
}

/** Keep the latest tally of a round. */
export function applyTally(state, tally) {
  const known = state.tallies.get(tally.round_id);
  state.tallies.set(tally.round_id, known && !tally.subjects && known.subjects ? { ...known, voters: tally.voters } : tally);
}

/** Return the newest round, or null. */
export function currentRound(state) {
  let newest = null;
  for (const r of state.rounds.values()) if (!newest || r.number > newest.number) newest = r;
  return newest;
}

/** Return the proposals in id order. */
export function proposalList(state) {
  return [...state.proposals.values()].sort((a, b) => a.id - b.id);
}
