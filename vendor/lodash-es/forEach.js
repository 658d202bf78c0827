export { forEach as default } from './lodash.js';
