export { flatten as default } from './lodash.js';
