module.exports = { ...require('../../jest.preset.js'), displayName: 'e2e-distributed', rootDir: __dirname };
