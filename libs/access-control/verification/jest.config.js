module.exports = { ...require('../../../jest.preset.js'), displayName: 'access-control-verification', rootDir: __dirname };
