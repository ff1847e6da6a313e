// The bundled example: `npm run example`. In your own project, write testEnvironment: 'leakwatch'.
const path = require('node:path');

module.exports = {
  rootDir: __dirname,
  testEnvironment: path.join(__dirname, '..', 'dist', 'index.js'),
};
