export { filter as default } from './lodash.js';
