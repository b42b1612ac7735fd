module.exports = { ...require('../../../jest.preset.js'), displayName: 'access-control-feature', rootDir: __dirname };
