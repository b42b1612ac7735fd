module.exports = { ...require('../../../jest.preset.js'), displayName: 'stats-feature', rootDir: __dirname };
