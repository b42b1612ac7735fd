module.exports = { ...require('../../../jest.preset.js'), displayName: 'net-policy', rootDir: __dirname };
