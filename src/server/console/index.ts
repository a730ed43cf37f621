// The business console: Fastify plugin, its storage, and the integrators' per-user API keys.
export { CONSOLE_PLUGIN, consoleRoutes, CSRF_HEADER, SESSION_COOKIE, LOGIN_RATE_LIMIT } from './plugin';
export { ConsoleStore, ROLES, type ApiKeyPrincipal, type Role, type Workflow } from './store';
export { buildConsole, consoleIsBuilt, CONSOLE_OUT } from './build';
export { toCsv, csvCell } from './csv';
