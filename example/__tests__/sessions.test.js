const { login, logout } = require('../src/sessions');

test('login then logout', () => {
  const id = login('ada');
  logout(id);
});

test('login many users', () => {
  for (let i = 0; i < 10; i++) login(`user-${i}`);
});
