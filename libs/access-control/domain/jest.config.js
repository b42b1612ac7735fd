module.exports = { ...require('../../../jest.preset.js'), displayName: 'access-control-domain', rootDir: __dirname };
