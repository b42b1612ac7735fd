module.exports = { ...require('../../../jest.preset.js'), displayName: 'pg', rootDir: __dirname };
