// `npm run start:service`: runs the one service named by LEAKWATCH_SERVICE (distributed mode), or says clearly
// which names exist (exit 2, like every configuration error) instead of "Cannot find module apps/src/main.ts".
// The list mirrors SERVICE_NAMES in libs/shared/runtime/src/config/leakwatch-config.ts (plain JS: no TS loader yet).
const path = require('node:path');

const SERVICES = ['gateway', 'ingest', 'leak-lifecycle', 'access-control', 'stats', 'notifications'];
const service = process.env.LEAKWATCH_SERVICE;

if (!service || !SERVICES.includes(service)) {
  console.error(
    'Invalid configuration:\n' +
      `  - LEAKWATCH_SERVICE: ${service ? 'is not a Leakwatch service' : 'is not set'}; must be one of ${SERVICES.join(', ')}\n` +
      '    e.g. LEAKWATCH_SERVICE=gateway npm run start:service  (all services in one process: npm start)',
  );
  process.exit(2);
}

require('./register.js');
require(path.join(__dirname, '..', 'apps', service, 'src', 'main.ts'));
