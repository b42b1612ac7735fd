module.exports = { ...require('../../../jest.preset.js'), displayName: 'postgres-server', rootDir: __dirname };
