module.exports = { ...require('../../jest.preset.js'), displayName: 'leakwatch', rootDir: __dirname };
