// Public surface of @datarus/cli: the command-line entry point.
export { main, helpText } from './main.js';
