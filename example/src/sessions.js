/** A session store that forgets to forget: every login stays in memory forever. */
const sessions = new Map();
let nextId = 0;

function login(user) {
  nextId += 1;
  sessions.set(nextId, { user, createdAt: Date.now(), history: new Array(20000).fill(user) });
  return nextId;
}

function logout(id) {
  sessions.delete(id);
}

module.exports = { login, logout };
