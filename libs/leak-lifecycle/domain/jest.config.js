module.exports = { ...require('../../../jest.preset.js'), displayName: 'leak-lifecycle-domain', rootDir: __dirname };
