module.exports = { ...require('../../../jest.preset.js'), displayName: 'blocklist-client', rootDir: __dirname };
