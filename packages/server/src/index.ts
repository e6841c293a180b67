export { buildApp, type AppOptions } from './app.js';
export { loadConfig, testConfig, type Config, ConfigError, SETTINGS } from './config/config.js';
export { openServices, closeServices, type Services } from './services.js';
