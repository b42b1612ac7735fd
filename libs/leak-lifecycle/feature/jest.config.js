module.exports = { ...require('../../../jest.preset.js'), displayName: 'leak-lifecycle-feature', rootDir: __dirname };
