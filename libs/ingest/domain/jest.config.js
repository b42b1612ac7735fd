module.exports = { ...require('../../../jest.preset.js'), displayName: 'ingest-domain', rootDir: __dirname };
