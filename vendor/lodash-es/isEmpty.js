export { isEmpty as default } from './lodash.js';
