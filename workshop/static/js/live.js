// The live connection: Socket.IO with numbered events, sync after every (re)connect, and an outbox.
//
// Every action gets an op_id and waits in the outbox (kept in localStorage) until the server acknowledges it;
// after a reconnect or a reload it is sent again with the same op_id, which the server applies only once.

import { load, opId, save } from './dom.js';
import { applyEvent, applyParticipants, applySnapshot, applyTally, emptyState } from './store.js';

const ACK_TIMEOUT = 10000;
const RETRY_DELAY = 3000;

/** Read the error a refused connection carries (an object, or its text in the message). */
function refusal(err) {
  if (err && err.data && err.data.code) return err.data;
  const text = String((err && err.message) || '');
  const code = /'code': '(\w+)'/.exec(text) || /"code": ?"(\w+)"/.exec(text);
  const message = /'message': ["']([^"']*)["']/.exec(text) || /"message": ?"([^"]*)"/.exec(text);
  return { code: code ? code[1] : 'refused', message: message ? message[1] : text };
}

export class Live {
  /**
   * auth: the Socket.IO auth object; outboxKey: localStorage key of the outbox (null keeps it in memory);
   * on: {change(reason), connection(state), failed(op, error), refused(error)}.
   */
  constructor({ auth, outboxKey = null, on = {} }) {
    this.auth = auth;
    this.outboxKey = outboxKey;
    this.on = on;
    this.state = emptyState();
    this.outbox = (outboxKey && load(outboxKey)) || [];
    this.inflight = new Set();
    this.waiters = new Map();
    this.syncing = false;
    this.buffer = [];
    this.connection = 'connecting';
    this.socket = null;
  }

  /** Connect with the io() function of the Socket.IO client. */
  start(io) {
    const socket = io({ auth: this.auth, transports: ['websocket', 'polling'], tryAllTransports: true });
    this.socket = socket;
    socket.on('connect', () => {
      this.inflight.clear();
      this.setConnection('connected');
      this.resync();
    });
    socket.on('disconnect', () => {
      this.inflight.clear();
      this.setConnection(navigator.onLine === false ? 'offline' : 'reconnecting');
    });
    socket.on('connect_error', (err) => {
      if (!socket.active) {
        this.setConnection('offline');
        this.on.refused?.(refusal(err));
      } else {
        this.setConnection(navigator.onLine === false ? 'offline' : 'reconnecting');
      }
    });
    socket.on('event', (message) => (this.syncing ? this.buffer.push(message) : this.apply(message)));
    socket.on('tally', (tally) => {
      applyTally(this.state, tally);
      this.changed('tally');
    });
    socket.on('participants', (participants) => {
      applyParticipants(this.state, participants);
      this.changed('participants');
    });
    window.addEventListener('offline', () => {
      this.setConnection('offline');
      socket.disconnect();
    });
    window.addEventListener('online', () => socket.connect());
    document.addEventListener('visibilitychange', () => {
      // After a screen lock the socket may be gone without having noticed: reconnect, or catch up.
      if (document.visibilityState !== 'visible' || navigator.onLine === false) return;
      if (!socket.connected) socket.connect();
      else this.resync();
    });
  }

  setConnection(state) {
    if (this.connection === state) return;
    this.connection = state;
    this.on.connection?.(state);
  }

  changed(reason) {
    this.on.change?.(reason);
  }

  /** Apply a live event in sequence; a gap means something was missed, so sync. */
  apply(message) {
    if (message.seq <= this.state.seq) return;
    if (message.seq !== this.state.seq + 1) {
      this.buffer.push(message);
      this.resync();
      return;
    }
    const draftStale = applyEvent(this.state, message);
    this.changed(message.name);
    if (draftStale) this.resync(true);
  }

  /** Ask for what was missed since the last applied seq (or everything); then send what waits. */
  resync(full = false) {
    if (!this.socket || !this.socket.connected || (this.syncing && !full)) return;
    this.syncing = true;
    // Once a snapshot has been applied (role known), even seq 0 is a place to catch up from.
    const since = full || this.state.role === null ? {} : { since: this.state.seq };
    this.socket.timeout(ACK_TIMEOUT).emit('sync', since, (err, reply) => {
      this.syncing = false;
      if (err || !reply || !reply.ok) {
        if (reply && reply.error) this.on.refused?.(reply.error);
        else setTimeout(() => this.resync(full), RETRY_DELAY);
        return;
      }
      let draftStale = false;
      if (reply.snapshot) {
        applySnapshot(this.state, reply.snapshot);
      } else {
        for (const message of reply.events) {
          if (message.seq === this.state.seq + 1) draftStale = applyEvent(this.state, message) || draftStale;
        }
        if (reply.participants) applyParticipants(this.state, reply.participants);
      }
      const waiting = this.buffer.sort((a, b) => a.seq - b.seq);
      this.buffer = [];
      this.changed('sync');
      if (draftStale) {
        this.buffer = waiting;
        this.resync(true);
        return;
      }
      for (const message of waiting) this.apply(message);
      this.flush();
    });
  }

  /** Queue an action and send it when connected; resolves with the acknowledgement. */
  send(name, payload, label) {
    const op = { op_id: opId(), name, payload, label, at: Date.now() };
    this.outbox.push(op);
    this.persist();
    const reply = new Promise((resolve) => this.waiters.set(op.op_id, resolve));
    this.changed('outbox');
    this.trySend(op);
    return reply;
  }

  /** Send every queued action that is not already on its way. */
  flush() {
    for (const op of [...this.outbox]) this.trySend(op);
  }

  trySend(op) {
    const socket = this.socket;
    if (!socket || !socket.connected || this.syncing || this.inflight.has(op.op_id)) return;
    this.inflight.add(op.op_id);
    socket.timeout(ACK_TIMEOUT).emit(op.name, { ...op.payload, op_id: op.op_id }, (err, reply) => {
      this.inflight.delete(op.op_id);
      if (err) {
        // No acknowledgement: keep it and try again with the same op_id (applied once at most).
        setTimeout(() => this.trySend(op), RETRY_DELAY);
        return;
      }
      this.settle(op, reply);
    });
  }

  settle(op, reply) {
    const index = this.outbox.findIndex((o) => o.op_id === op.op_id);
    if (index < 0) return;
    this.outbox.splice(index, 1);
    this.persist();
    if (reply.ok && op.name === 'vote.cast') {
      const round = this.state.rounds.get(op.payload.round_id);
      if (round) round.my_votes = { ...round.my_votes, [op.payload.subject]: op.payload.value };
    }
    if (reply.ok && op.name === 'proposal.submit' && reply.proposal && this.state.role === 'participant') {
      // The broadcast may have come first (as "hidden"): the acknowledgement says it is ours.
      const known = this.state.proposals.get(reply.proposal.id);
      const shown = known && known.shown !== undefined ? known.shown : this.state.workshop?.phase !== 'propose';
      this.state.proposals.set(reply.proposal.id, { ...reply.proposal, ...(known || {}), mine: true, shown });
    }
    const waiter = this.waiters.get(op.op_id);
    this.waiters.delete(op.op_id);
    if (waiter) waiter(reply);
    else if (!reply.ok) this.on.failed?.(op, reply.error);
    this.changed('outbox');
  }

  persist() {
    if (this.outboxKey) save(this.outboxKey, this.outbox.length ? this.outbox : null);
  }

  /** Return the queued actions of one kind. */
  pending(name) {
    return this.outbox.filter((o) => o.name === name);
  }
}
