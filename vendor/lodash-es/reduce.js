export { reduce as default } from './lodash.js';
