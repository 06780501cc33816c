// @ts-check
// Dice duel: a turn-based game for two. Each round both players send `roll`; the server rolls a
// die for each and the higher roll wins the round (a tie is a draw). A player who does not roll
// within `turnMs` of the other is rolled for. Wins count on the server's leaderboard, and every
// round played anywhere on the server adds to a world counter.
import { defineGame, Type } from 'shoal';

export const diceDuel = defineGame({
  name: 'dice-duel',
  // Two seats: quick-join pairs two players; no ticks, the game moves on messages and timers.
  seats: 2,
  hz: 0,
  // The one message a player sends: `{ t: 'roll' }`, no fields. Anything else is refused at the edge.
  messages: { roll: Type.Object({}) },
  errors: {
    NO_OPPONENT: 'the duel starts when a second player sits down',
    ALREADY_ROLLED: 'you rolled this round; wait for the other player',
  },

  /**
   * @param {{ turnMs: number }} settings
   * @param {unknown} snapshot
   */
  create(ctx, settings, snapshot) {
    /** @typedef {{ round: number, rolls: Record<string, number>, wins: Record<string, number> }} Duel */
    /** @type {Duel} */
    const duel = snapshot ? /** @type {Duel} */ (snapshot) : { round: 1, rolls: {}, wins: {} };
    /** @type {string[]} */
    const players = [];
    /** @type {import('shoal').TimerHandle | undefined} */
    let turnTimer;

    const roll = () => 1 + Math.floor(Math.random() * 6);

    /** @param {string} id */
    function rolled(id) {
      duel.rolls[id] = roll();
      const [a, b] = players;
      if (a === undefined || b === undefined || duel.rolls[a] === undefined || duel.rolls[b] === undefined) {
        ctx.broadcast({ t: 'duel', round: duel.round, rolls: duel.rolls, done: false });
        // The other player has turnMs to roll, or the server rolls for them.
        const other = id === a ? b : a;
        if (other !== undefined) turnTimer = ctx.timers.after(settings.turnMs, () => rolled(other));
        ctx.saveSnapshot();
        return;
      }
      turnTimer?.cancel();
      const winner = duel.rolls[a] > duel.rolls[b] ? a : duel.rolls[b] > duel.rolls[a] ? b : null;
      if (winner !== null) {
        duel.wins[winner] = (duel.wins[winner] ?? 0) + 1;
        ctx.scoreChanged(winner, duel.wins[winner]);
      }
      ctx.broadcast({ t: 'duel', round: duel.round, rolls: duel.rolls, done: true, winner });
      duel.round++;
      duel.rolls = {};
      ctx.saveSnapshot();
      // Rounds played on the whole server, in the world shared by every room and worker.
      ctx.world.incr('dice-duel.rounds').then(
        (total) => ctx.broadcast({ t: 'duel-rounds', total }),
        () => {}, // the coordinator briefly away: the count misses this round, the duel goes on
      );
    }

    return {
      get size() {
        return players.length;
      },
      join(seat) {
        if (!players.includes(seat.id)) players.push(seat.id);
        if (players.length === 2) ctx.broadcast({ t: 'duel', round: duel.round, rolls: duel.rolls, done: false });
      },
      leave(id) {
        if (players.includes(id)) players.splice(players.indexOf(id), 1);
        turnTimer?.cancel();
        duel.rolls = {};
      },
      setFrozen() {},
      message(id, msg) {
        if (msg.t !== 'roll') return;
        if (players.length < 2) return ctx.error(id, 'NO_OPPONENT', 'wait for a second player');
        if (duel.rolls[id] !== undefined) return ctx.error(id, 'ALREADY_ROLLED', `you rolled ${duel.rolls[id]} this round`);
        rolled(id);
      },
      snapshot() {
        return duel;
      },
    };
  },
});
