module.exports = { ...require('../../../jest.preset.js'), displayName: 'notifications-feature', rootDir: __dirname };
